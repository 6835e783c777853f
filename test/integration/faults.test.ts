// Faults on the real engine, seen through the app's host as a user would see them: Prometheus
// killed under traffic (its WAL keeps what it had scraped), and a service that crash-loops (its
// card counts the restarts and shows the last lines before each exit; the app keeps answering).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceStatus, StackSnapshot } from '../../main/contract.js';
import { Host, type Session } from '../../main/host/host.js';
import { PrometheusClient } from '../../main/prom/client.js';
import { runTraffic, stackApi } from '../../main/traffic/scenarios.js';
import { waitFor } from '../helpers/http.js';
import { requireImages, testImages } from '../helpers/images.js';
import { removeStack, stackEnv } from '../helpers/stack.js';

const docker = new Docker();
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'obsdeck-faults-'));
const project = `obsdeck-faults-${process.pid}`;
let host: Host;
let session: Session;
const seen: StackSnapshot[] = [];
const states = (service: string) => seen.map((s) => s.services.find((x) => x.service === service)).filter((x): x is ServiceStatus => x !== undefined);

beforeAll(async () => {
  await requireImages(docker, [testImages.prometheus, testImages.alertmanager, testImages.api]);
  host = new Host({ env: await stackEnv(project, home), data: home, webhook: false });
  await host.start();
  session = host.connect((event, payload) => {
    if (event === 'stack:snapshot') seen.push(payload as StackSnapshot);
  });
  await host.handle('stack:up', { services: ['api_poc3', 'prometheus', 'alertmanager'] }, session);
}, 180_000);

afterAll(async () => {
  session.dispose();
  host.close();
  await removeStack(host.runtime.maybeStack(), home);
}, 180_000);

describe('faults', () => {
  it('Prometheus killed under traffic: the app shows the crash and the recovery, and what it had scraped is still there (WAL replay)', async () => {
    const prom = new PrometheusClient(host.runtime.published('prometheus'));
    const stop = new AbortController();
    const traffic = runTraffic('normal', { ...stackApi(host.runtime.stack().spec), durationS: 120, rate: 10, signal: stop.signal });
    try {
      const sum = (t: number) => `sum(http_requests_total{job="poc3-security"} @ ${t.toFixed(3)})`;
      const [at, had] = await waitFor('samples of the traffic in Prometheus', async () => {
        const t = Date.now() / 1000;
        const v = await prom.value(sum(t));
        return v !== undefined && v > 20 ? [t, v] as const : undefined;
      }, 60_000, 500);
      seen.length = 0;
      const before = (await docker.getContainer(`${project}-prometheus-1`).inspect());
      // SIGKILL the process itself (a crash, not a `docker stop`): the restart policy brings it back.
      process.kill(before.State.Pid, 'SIGKILL');
      await waitFor('the app to show Prometheus down and then running and ready again', async () => {
        const list = states('prometheus');
        const down = list.findIndex((s) => !s.ready);
        return down >= 0 && list.slice(down).some((s) => s.state === 'running' && s.ready) ? true : undefined;
      }, 90_000, 200);
      const after = states('prometheus').at(-1)!;
      expect(after.restartCount).toBeGreaterThan(before.RestartCount);
      // The samples scraped before the kill: replayed from the WAL, the same value at the same instant.
      expect(await waitFor('the query to answer again', () => prom.value(sum(at)), 30_000, 500)).toBe(had);
    } finally {
      stop.abort();
      await traffic.catch(() => undefined);
    }
  }, 180_000);

  it('a crash-looping service: its card counts the restarts and shows its last lines; the app keeps answering', async () => {
    const api = host.runtime.stack().service('api_poc3');
    const entrypoint = api.entrypoint;
    api.entrypoint = ['/usr/local/bin/node', '-e', 'console.error("crashing on purpose at " + new Date().toISOString()); process.exit(3)'];
    try {
      const up = await host.handle('stack:up', { services: ['api_poc3'] }, session).then(() => undefined, (e: unknown) => (e as { error: { code: string } }).error);
      expect(up?.code).toBe('SERVICE_FAILED');
      const looping = await waitFor('two restarts shown, with the last lines', async () => {
        const s = host.runtime.snapshot().services.find((x) => x.service === 'api_poc3');
        return s && s.restartCount >= 2 && s.lastLogs?.some((l) => l.includes('crashing on purpose')) ? s : undefined;
      }, 60_000, 200);
      expect(['restarting', 'exited', 'running']).toContain(looping.state);
      expect(looping.ready).toBe(false);
      // Responsive meanwhile: the host answers at once, again and again.
      for (let i = 0; i < 5; i++) {
        const status = await Promise.race([
          host.handle('stack:status', {}, session) as Promise<StackSnapshot>,
          new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the app did not answer within 2 s')), 2000)),
        ]);
        expect(status.services.find((x) => x.service === 'prometheus')?.ready).toBe(true);
      }
    } finally {
      api.entrypoint = entrypoint;
      await host.handle('stack:up', { services: ['api_poc3'] }, session);
    }
    // Back on its own entrypoint: ready again, as the live status shows a moment after Start answers.
    await waitFor('the API shown ready again', async () => (host.runtime.snapshot().services.find((x) => x.service === 'api_poc3')?.ready ? true : undefined), 30_000, 200);
  }, 180_000);
});
