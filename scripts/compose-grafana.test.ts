// The Grafana service's entrypoint script (observability/docker-compose.yml) run with this
// machine's sh: there is no Grafana image here, but the password logic is plain POSIX shell.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { composeImageDefaults } from './lib/compose-images.js';

interface Compose { services: Record<string, { entrypoint?: string[]; image?: string }> }
const compose = parse(fs.readFileSync(path.resolve('observability', 'docker-compose.yml'), 'utf8')) as Compose;

/** Runs the entrypoint with the data directory in `dir` and `/run.sh` replaced by printing the env. */
function start(dir: string, env: Record<string, string> = {}): Record<string, string> {
  const script = compose.services.grafana?.entrypoint?.[2];
  if (!script) throw new Error('grafana has no entrypoint script');
  // Compose turns $$ into $ before the container sees the script.
  const shell = script.replaceAll('$$', '$').replace('exec /run.sh', 'exec env');
  const out = execFileSync('/bin/sh', ['-c', shell], { env: { PATH: process.env.PATH, GF_PATHS_DATA: dir, ...env }, encoding: 'utf8' });
  return Object.fromEntries(out.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}

describe('the Grafana admin password', () => {
  it('is generated on first start, private to Grafana\'s user, and the same on the next start', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'grafana-'));
    try {
      const first = start(dir, { GF_SECURITY_ADMIN_PASSWORD: '' });
      const file = path.join(dir, 'admin-password');
      expect(first.GF_SECURITY_ADMIN_PASSWORD__FILE).toBe(file);
      expect(first).not.toHaveProperty('GF_SECURITY_ADMIN_PASSWORD'); // an empty one would win over the file
      const password = fs.readFileSync(file, 'utf8');
      expect(password).toMatch(/^[A-Za-z0-9]{24}$/);
      expect(fs.statSync(file).mode & 0o077).toBe(0);
      start(dir);
      expect(fs.readFileSync(file, 'utf8')).toBe(password);
      expect(password).not.toBe('admin');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is the one given in GRAFANA_ADMIN_PASSWORD when there is one', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'grafana-'));
    try {
      const env = start(dir, { GF_SECURITY_ADMIN_PASSWORD: 'given-password' });
      expect(env.GF_SECURITY_ADMIN_PASSWORD).toBe('given-password');
      expect(env).not.toHaveProperty('GF_SECURITY_ADMIN_PASSWORD__FILE');
      expect(fs.existsSync(path.join(dir, 'admin-password'))).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the pinned images', () => {
  it('are exact upstream tags, each overridable by its variable', () => {
    const pinned = composeImageDefaults();
    expect(Object.keys(pinned).sort()).toEqual(['ALERTMANAGER_IMAGE', 'API_IMAGE', 'GRAFANA_IMAGE', 'NODE_IMAGE', 'PROMETHEUS_IMAGE']);
    expect(pinned.PROMETHEUS_IMAGE).toMatch(/^prom\/prometheus:v3\.\d+\.\d+$/);
    expect(pinned.ALERTMANAGER_IMAGE).toMatch(/^prom\/alertmanager:v0\.\d+\.\d+$/);
    expect(pinned.GRAFANA_IMAGE).toMatch(/^grafana\/grafana-oss:1\d\.\d+\.\d+$/);
    expect(pinned.NODE_IMAGE).toMatch(/^node:20\.\d+\.\d+-bookworm-slim$/);
  });
});
