import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fetchWithin } from '../prom/fetch.js';
import { composeProblems } from './compose-check.js';

const data = fs.mkdtempSync(path.join(os.tmpdir(), 'obsdeck-compose-check-'));
const loc = { data, env: { OBSDECK_HOME: data } };
const shipped = fs.readFileSync(path.resolve('observability', 'docker-compose.yml'), 'utf8');

describe('checking a compose draft', () => {
  it('changes nothing: a draft that moves Prometheus elsewhere is not given the stack\'s credentials, nor are its files made', async () => {
    // A local server standing where a draft (never applied) says Prometheus would be.
    const seen: (string | undefined)[] = [];
    const server = http.createServer((req, res) => {
      seen.push(req.headers.authorization);
      res.end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      const fresh = fs.mkdtempSync(path.join(os.tmpdir(), 'obsdeck-compose-draft-'));
      const draft = shipped.replace('${PROMETHEUS_PORT:-9090}', String(port));
      expect(composeProblems(draft, { data: fresh, env: { OBSDECK_HOME: fresh } }).filter((p) => p.severity === 'error')).toEqual([]);
      await fetchWithin(`http://127.0.0.1:${port}/`, 2000);
      expect(seen).toEqual([undefined]);
      expect(fs.existsSync(path.join(fresh, 'config', 'auth'))).toBe(false);
    } finally {
      server.close();
    }
  });

  it('finds nothing wrong with the shipped file', () => {
    expect(composeProblems(shipped, loc).filter((p) => p.severity === 'error')).toEqual([]);
  });

  it('puts a YAML error where the parser stopped', () => {
    const broken = shipped.replace('  prometheus:\n', '  prometheus:\n   bad: [\n');
    const [p] = composeProblems(broken, loc);
    expect(p).toMatchObject({ file: 'docker-compose.yml', severity: 'error' });
    expect(p!.line).toBeGreaterThan(shipped.slice(0, shipped.indexOf('  prometheus:\n')).split('\n').length);
  });

  it('puts a model error at the service and key it names', () => {
    const broken = shipped.replace("      - '127.0.0.1:${PROMETHEUS_PORT:-9090}:9090'", "      - '127.0.0.1:nine:9090'");
    const problems = composeProblems(broken, loc);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toMatch(/services\.prometheus: port "127\.0\.0\.1:nine:9090" is not/);
    const line = broken.split('\n').findIndex((l) => l === '  prometheus:') + 1;
    expect(problems[0]).toMatchObject({ line, column: 3, severity: 'error' });
  });

  it('warns at an ignored key', () => {
    const odd = shipped.replace('  prometheus:\n', '  prometheus:\n    cpu_shares: 512\n');
    const warning = composeProblems(odd, loc).find((p) => p.severity === 'warning');
    expect(warning?.message).toMatch(/services\.prometheus: "cpu_shares" is ignored/);
    expect(warning?.line).toBe(odd.split('\n').findIndex((l) => l === '    cpu_shares: 512') + 1);
  });
});
