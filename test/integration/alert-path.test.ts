// The alert path on the real engine, as the app runs it (webhook on): after Start the receiver
// listens where the engine put host.docker.internal for Alertmanager (read from its /etc/hosts)
// and a request from the stack's network reached it; the Watchdog's heartbeat arrives; the
// path test passes hop by hop from the app and from `obsdeck alerts test` (which asks the app);
// Alertmanager's webhook failures stay 0. Then the receiver is made unreachable: the test names
// the failed hop in Alertmanager's words, and the Alerts view's line turns red.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertsSnapshot, PathTestResult } from '../../main/contract.js';
import { hostsEntry } from '../../main/engine/host-gateway.js';
import { filesIn, runTool } from '../../main/engine/run-tool.js';
import { Host, type Session } from '../../main/host/host.js';
import { waitFor } from '../helpers/http.js';
import { requireImages, testImages } from '../helpers/images.js';
import { removeStack, stackEnv } from '../helpers/stack.js';

const docker = new Docker();
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'obsdeck-alertpath-'));
const project = `obsdeck-alertpath-${process.pid}`;
let host: Host;
let session: Session;
let env: NodeJS.ProcessEnv;

const list = async () => (await host.handle('alerts:list', {}, session)) as AlertsSnapshot;

beforeAll(async () => {
  await requireImages(docker, [testImages.api, testImages.prometheus, testImages.alertmanager]);
  env = await stackEnv(project, home);
  host = new Host({ env, data: home });
  await host.start();
  session = host.connect(() => undefined);
  await host.handle('stack:up', { services: ['api_poc3', 'prometheus', 'alertmanager'] }, session);
}, 180_000);

afterAll(async () => {
  host.close();
  await removeStack(host.runtime.maybeStack(), home);
}, 120_000);

describe('the alert path', () => {
  it('listens where the engine sends host.docker.internal, proven by a request from the stack\'s network', async () => {
    const am = docker.getContainer(`${project}-alertmanager-1`);
    const fromEngine = hostsEntry((await filesIn(am, ['/etc/hosts']))['/etc/hosts']!.toString('utf8'));
    expect(fromEngine).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    const state = host.runtime.receiver.state();
    expect(state.listening).toBe(`http://${fromEngine}:5001/alertmanager`);
    expect(state.path).toMatchObject({ hostGateway: fromEngine, reached: true });
    expect(state.path?.problem).toBeUndefined();
  });

  it('the Watchdog\'s heartbeat arrives, and no notification has failed', async () => {
    const snap = await waitFor('the first heartbeat', async () => {
      const s = await list();
      return s.receiver?.heartbeat?.lastAt ? s : undefined;
    }, 120_000, 2000);
    expect(snap.receiver?.heartbeat?.stale).toBe(false);
    expect(snap.alerts.map((a) => a.name)).not.toContain('Watchdog'); // a heartbeat, not an alert
    expect(snap.receiver?.delivery).toMatchObject({ failed: 0, failing: false });
    expect(snap.receiver!.delivery!.sent).toBeGreaterThan(0);
    // Every hop, from the services' own metrics.
    expect(snap.receiver?.pipeline?.map((h) => `${h.hop} ${h.ok}`)).toEqual(['rules true', 'Prometheus → Alertmanager true', 'Alertmanager → Obsdeck true']);
    expect(host.runtime.receiver.state().firing.map((n) => n.alertname)).not.toContain('Watchdog');    // The heartbeat is still watched after the stack is opened again (Images → Change, a compose
    // Apply): its timer is private, so the test looks at it as Node keeps it.
    await host.runtime.reopen();
    const watched = (host.runtime as unknown as { heartbeatTimer?: { _destroyed?: boolean } }).heartbeatTimer;
    expect(watched?._destroyed).toBe(false);
  }, 150_000);

  it('passes the path test from the app, hop by hop, leaving nothing firing', async () => {
    const r = (await host.handle('alerts:test', {}, session)) as PathTestResult;
    expect(r.problem).toBeUndefined();
    expect(r.hops.map((h) => `${h.hop} ${h.ok}`)).toEqual(['routes checked true', 'accepted true', 'routed true', 'delivered true', 'resolved true']);
    expect(host.runtime.receiver.state().firing.map((n) => n.alertname)).not.toContain(r.alertname); // not a notice
    const am = host.runtime.alertmanager();
    expect((await am.alerts([`alertname="${r.alertname}"`])).filter((a) => a.status.state === 'active')).toEqual([]);
  }, 90_000);

  it('`obsdeck alerts test` asks the app that holds the receiver, and passes', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [path.resolve('bin', 'obsdeck.js'), 'alerts', 'test'], { env: { ...env, NO_COLOR: '1' } });
    expect(stdout).toMatch(/asking the Obsdeck process that holds the receiver on [\d.]+:5001/);
    for (const hop of ['routes checked', 'accepted', 'routed', 'delivered', 'resolved']) expect(stdout).toMatch(new RegExp(`✓ ${hop}\\s+\\+\\d+\\.\\d s`));
    expect(stdout).toMatch(/the alert path works \(ObsdeckPathTest_[0-9a-f]{8}\)/);
    expect((await list()).receiver?.delivery?.failed).toBe(0);
    // `obsdeck status` shows the same hops, read from Prometheus' scrapes of itself: in its first
    // scrape interval (15 s) it says "no data yet", then what the metrics say.
    const status = await waitFor('Prometheus\' first scrape of itself in `obsdeck status`', async () => {
      const r = await promisify(execFile)(process.execPath, [path.resolve('bin', 'obsdeck.js'), 'status'], { env: { ...env, NO_COLOR: '1' } });
      return /no data yet/.test(r.stdout) ? undefined : r;
    }, 45_000, 2000);
    expect(status.stdout).toMatch(/the alert path[^\n]*\n\s+✓ rules: every rule evaluates\n\s+✓ Prometheus → Alertmanager: 1 Alertmanager discovered, no errors\n\s+✓ Alertmanager → Obsdeck: \d+ webhook notifications sent, 0 failed/);
  }, 90_000);

  it('serves each service\'s vitals to the stack\'s Prometheus as cAdvisor names them, which `obsdeck query` reads back', async () => {
    // What the app serves passes Prometheus' own lint of the text format.
    const text = host.runtime.vitals.metrics();
    expect(text).toMatch(/^container_memory_working_set_bytes\{service="prometheus"\} \d+$/m);
    const lint = await runTool(docker, { image: testImages.prometheus, entrypoint: '/bin/promtool', args: ['check', 'metrics'], stdin: text });
    expect(lint.exitCode, lint.stdout + lint.stderr).toBe(0);
    // Prometheus scrapes it through host.docker.internal with its own token (auth/vitals-token),
    // every 15 s: a rate needs two scrapes.
    const prom = host.runtime.prometheus();
    await waitFor('two scrapes of the app\'s vitals', async () => {
      const r = await prom.query('count_over_time(container_cpu_usage_seconds_total{job="obsdeck-vitals",service="prometheus"}[2m])').catch(() => undefined);
      return r?.resultType === 'vector' && Number(r.result[0]?.value[1]) >= 2 ? true : undefined;
    }, 90_000, 2000);
    const query = (expr: string) => promisify(execFile)(process.execPath, [path.resolve('bin', 'obsdeck.js'), 'query', expr], { env: { ...env, NO_COLOR: '1' } });
    const memory = (await query('container_memory_working_set_bytes')).stdout;
    for (const service of ['api_poc3', 'prometheus', 'alertmanager']) {
      expect(memory).toMatch(new RegExp(`^container_memory_working_set_bytes\\{[^}]*service="${service}"[^}]*\\} \\d+$`, 'm'));
    }
    // The same figure the app's cards show (within the drift of a few seconds between reads).
    const fromPrometheus = Number(/service="prometheus"[^}]*\} (\d+)/.exec(memory)![1]);
    const fromApp = host.runtime.vitals.state().services.prometheus!.at(-1)!.memoryBytes;
    expect(Math.abs(fromPrometheus - fromApp) / fromApp).toBeLessThan(0.5);
    // Cores in use, as a cAdvisor rule would ask: Prometheus itself uses some, and less than both cores.
    const cpu = (await query('sum by (service) (rate(container_cpu_usage_seconds_total{service="prometheus"}[1m]))')).stdout;
    const cores = Number(/\} ([\d.e-]+)$/m.exec(cpu)![1]);
    expect(cores).toBeGreaterThan(0);
    expect(cores).toBeLessThan(2);
    // The target is the app itself, found with the token; a scrape without it is turned away.
    const targets = (await query('up{job="obsdeck-vitals"}')).stdout;
    expect(targets).toMatch(/^up\{instance="host\.docker\.internal:5001", job="obsdeck-vitals"\} 1$/m);
    const at = host.runtime.receiver.address()!;
    expect((await fetch(`http://${at.host}:${at.port}/metrics/vitals`)).status).toBe(401);
  }, 150_000);

  it('with the receiver unreachable, the test fails at "delivered" in Alertmanager\'s words and the Alerts view says so', async () => {
    await host.runtime.receiver.close();
    const r = (await host.handle('alerts:test', {}, session)) as PathTestResult;
    expect(r.ok).toBe(false);
    expect(r.hops.at(-1)).toMatchObject({ hop: 'delivered', ok: false });
    expect(r.problem).toMatch(/^delivered: Alertmanager could not deliver it to the app: .*connect: connection refused/);
    const snap = await list();
    expect(snap.receiver?.delivery).toMatchObject({ failing: true });
    expect(snap.receiver!.delivery!.failed).toBeGreaterThan(0);
    expect(snap.receiver?.delivery?.lastError?.message).toMatch(/connection refused/);
  }, 90_000);
});
