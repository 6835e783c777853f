// The traffic generator against the real API of a running stack: each scenario moves the
// metrics it is named for, and token reuse makes its alert fire in Prometheus.
import crypto from 'node:crypto';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrometheusClient } from '../../main/prom/client.js';
import { loadSpec } from '../../main/config/project.js';
import { Stack } from '../../main/stack/stack.js';
import { runTraffic } from '../../main/traffic/scenarios.js';
import { waitFor } from '../helpers/http.js';
import { requireImages, testImages } from '../helpers/images.js';
import { removeStack, stackEnv } from '../helpers/stack.js';

const docker = new Docker();
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'obsdeck-traffic-'));
const project = `obsdeck-traffic-${process.pid}`;
const passwords = { admin: crypto.randomBytes(12).toString('base64url'), user: crypto.randomBytes(12).toString('base64url') };
let stack: Stack;
let env: NodeJS.ProcessEnv;
let base: string;
let prom: PrometheusClient;

beforeAll(async () => {
  await requireImages(docker, [testImages.prometheus, testImages.alertmanager, testImages.api]);
  env = await stackEnv(project, home, { API_ADMIN_PASSWORD: passwords.admin, API_USER_PASSWORD: passwords.user });
  stack = new Stack(docker, loadSpec({ project, env, data: home }).spec);
  await stack.up(['api_poc3', 'prometheus', 'alertmanager'], undefined, { wait: true });
  base = `http://127.0.0.1:${env.API_PORT}`;
  prom = new PrometheusClient(`http://127.0.0.1:${env.PROMETHEUS_PORT}`);
}, 180_000);

afterAll(() => removeStack(stack, home), 120_000);

describe('traffic scenarios', () => {
  it('normal use is mostly successful requests across the API', async () => {
    const stats = await runTraffic('normal', { base, passwords, durationS: 3, rate: 20 });
    expect(stats.sent).toBeGreaterThan(40);
    const ok = Object.entries(stats.byStatus).filter(([k]) => /^2/.test(k)).reduce((n, [, v]) => n + v, 0);
    expect(ok / stats.sent).toBeGreaterThan(0.95);
    expect(Object.keys(stats.byStatus)).toEqual(expect.arrayContaining(['200', '201']));
  });

  it('token reuse makes RefreshTokenReuse fire in Prometheus', async () => {
    // Prometheus must have seen the counter at 0 first: increase() cannot see growth before the
    // first sample (the same holds for a user who reuses a token right after Start).
    await waitFor('the API scraped', async () => ((await prom.value('security_events_total{event_type="refresh_reuse"}')) === 0 ? true : undefined), 30_000, 500);
    const stats = await runTraffic('token-reuse', { base, passwords, durationS: 1, rate: 2 });
    expect(stats.byStatus['401']).toBeGreaterThan(0); // the reused refresh token is refused
    const firing = await waitFor('RefreshTokenReuse firing', async () => {
      const { alerts } = await prom.alerts();
      return alerts.find((a) => a.labels.alertname === 'RefreshTokenReuse' && a.state === 'firing');
    }, 60_000, 1000);
    expect(firing.labels.severity).toBe('critical');
  }, 120_000);

  it('`obsdeck traffic` runs a scenario from the command line and sums it up', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [path.resolve('bin', 'obsdeck.js'), 'traffic', 'forbidden', '--duration', '2', '--rate', '5'], { env: { ...env, NO_COLOR: '1' } });
    expect(stdout).toMatch(/^forbidden: \d+ requests in 2\.\d s \(200: 2, 201: 1, 403: \d+\)$/m);
    const bad = await promisify(execFile)(process.execPath, [path.resolve('bin', 'obsdeck.js'), 'traffic', 'flood'], { env }).then(() => undefined, (e: unknown) => e as { code: number; stderr: string });
    expect(bad?.code).toBe(2);
    expect(bad?.stderr).toMatch(/traffic needs a scenario:\n\s+normal/);
  });
  it('an error storm and slow requests move the error-ratio and p95 SLIs past their alert thresholds', async () => {
    const [storm, slow] = await Promise.all([
      runTraffic('error-storm', { base, passwords, durationS: 12, rate: 10 }),
      runTraffic('slow', { base, passwords, durationS: 12, rate: 5 }),
    ]);
    expect(storm.byStatus['500']).toBeGreaterThan(100);
    expect(slow.byStatus['200']).toBeGreaterThan(40); // in parallel: 12 s at 5/s though each takes 1.5 s
    const errors = await waitFor('the error ratio above 5%', async () => {
      const v = await prom.value('job:http_errors:ratio_rate5m{job="poc3-security"}');
      return v !== undefined && v > 0.05 ? v : undefined;
    }, 60_000, 1000);
    expect(errors).toBeGreaterThan(0.05); // HighErrorRate's threshold
    const p95 = await waitFor('p95 above 1 s', async () => {
      const v = await prom.value('job:http_request_duration_seconds:p95_5m{job="poc3-security"}');
      return v !== undefined && v > 1 ? v : undefined;
    }, 60_000, 1000);
    expect(p95).toBeGreaterThan(1); // HighLatency's threshold
  }, 120_000);

  it('keeps a user reading someone else\'s customer when that customer is deleted meanwhile (403, not 404)', async () => {
    let seen = 0;
    const run = runTraffic('forbidden', { base, passwords, durationS: 4, rate: 10, onProgress: (s) => { seen = s.byStatus['403'] ?? 0; } });
    await new Promise((r) => setTimeout(r, 1500));
    const atDelete = seen;
    // The admin deletes every customer, as the normal scenario deletes one now and then.
    const login = await (await fetch(`${base}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: passwords.admin }) })).json() as { access_token: string };
    const auth = { authorization: `Bearer ${login.access_token}` };
    const { items } = await (await fetch(`${base}/customers?limit=100`, { headers: auth })).json() as { items: { id: number }[] };
    for (const c of items) expect((await fetch(`${base}/customers/${c.id}`, { method: 'DELETE', headers: auth })).status).toBe(204);
    const stats = await run;
    expect(atDelete).toBeGreaterThan(0);
    expect(stats.byStatus['403']).toBeGreaterThan(atDelete + 10);
    expect(stats.byStatus['404'] ?? 0).toBeLessThanOrEqual(1);
  });

  // Last: past 60 attempts a minute the API refuses every login from this address for a while.
  it('brute force is answered 401 and then 429 by the login rate limit', async () => {
    const stats = await runTraffic('brute-force', { base, passwords, durationS: 3, rate: 10 });
    expect(stats.byStatus['401']).toBeGreaterThan(0);
    expect(stats.byStatus['429']).toBeGreaterThan(0);
  });

});
