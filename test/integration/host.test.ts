// The host (runtime, router, sessions) on the real engine, as the app's pages reach it: config
// changes through the one path under the stack's lock, and a WebSocket session's log follow
// stopped when the socket closes.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigState, ConfigStep, ContractError, StackEvent } from '../../main/contract.js';
import { Host, type Session } from '../../main/host/host.js';
import { serve, type RunningServe } from '../../main/server/serve.js';
import { PrometheusClient } from '../../main/prom/client.js';
import { requireImages, testImages } from '../helpers/images.js';
import { removeStack, stackEnv } from '../helpers/stack.js';
import Docker from 'dockerode';

const docker = new Docker();
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'obsdeck-host-'));
const project = `obsdeck-host-${process.pid}`;
let host: Host;
let env: NodeJS.ProcessEnv;
const steps: ConfigStep[] = [];
const progress: StackEvent[] = [];
let session: Session;

beforeAll(async () => {
  await requireImages(docker, [testImages.prometheus, testImages.alertmanager]);
  env = await stackEnv(project, home);
  host = new Host({ env, data: home, webhook: false });
  await host.start();
  session = host.connect((event, payload) => {
    if (event === 'config:progress') steps.push(payload as ConfigStep);
    if (event === 'stack:progress') progress.push(payload as StackEvent);
  });
  await host.handle('stack:up', { services: ['prometheus', 'alertmanager'] }, session);
});

afterAll(async () => {
  host.close();
  await removeStack(host.runtime.maybeStack(), home);
});

const configDir = () => path.join(home, 'config');
const promYml = () => fs.readFileSync(path.join(configDir(), 'prometheus.yml'), 'utf8');

describe('config changes through the host', () => {
  it('runs two applies at once one after the other, and the last one is what runs', async () => {
    const good = promYml();
    const a = good.replace('    scrape_interval: 5s\n', '    scrape_interval: 6s\n');
    const b = good.replace('    scrape_interval: 5s\n', '    scrape_interval: 7s\n');
    steps.length = 0;
    const before = host.runtime.history().list().length;
    const [ra, rb] = await Promise.all([
      host.handle('config:apply', { file: 'prometheus.yml', text: a }, session),
      host.handle('config:apply', { file: 'prometheus.yml', text: b }, session),
    ]) as { id: string }[];
    expect(ra!.id).not.toBe(rb!.id);
    // Serialized: the second begins (validate) only after the first is recorded.
    const order = steps.map((s) => s.step).filter((s) => s === 'validate' || s === 'record');
    expect(order).toEqual(['validate', 'record', 'validate', 'record']);
    expect(host.runtime.history().list()).toHaveLength(before + 2);
    expect(promYml()).toBe(b);
    const prom = new PrometheusClient(host.runtime.published('prometheus'));
    expect((await prom.config()).yaml).toMatch(/job_name: poc3-security[\s\S]*scrape_interval: 7s/);
  });

  it('refuses an invalid draft with Validate\'s problems, and it never reaches the config directory', async () => {
    const before = promYml();
    const watched: string[] = [];
    const watcher = fs.watch(configDir(), (_e, name) => watched.push(String(name)));
    try {
      const err = await host.handle('config:apply', { file: 'prometheus.yml', text: before.replace('  scrape_interval: 15s', '  scrape_interval: 15s\n  scrape_intervall: 5s') }, session)
        .then(() => undefined, (e: unknown) => (e as { error: ContractError }).error);
      expect(err?.code).toBe('CONFIG_INVALID');
      expect(err?.problems).toEqual([expect.objectContaining({ file: 'prometheus.yml', line: 5, column: 1, severity: 'error', message: expect.stringContaining('field scrape_intervall not found') as unknown })]);
    } finally {
      watcher.close();
    }
    expect(promYml()).toBe(before);
    expect(watched.filter((n) => n.startsWith('prometheus.yml'))).toEqual([]); // not even staged
    expect(fs.readdirSync(configDir()).filter((n) => n.includes('staged'))).toEqual([]);
  });

  it('restores a history entry by applying it through the same path', async () => {
    const entries = host.runtime.history().list();
    const first = entries.at(-2)!; // the 6 s one
    const state = await host.handle('config:restore', { id: first.id }, session) as { history: { id: string; note: string }[] };
    expect(state.history[0]!.note).toBe('applied to prometheus and alertmanager');
    expect(promYml()).toMatch(/scrape_interval: 6s/);
    const prom = new PrometheusClient(host.runtime.published('prometheus'));
    expect((await prom.config()).yaml).toMatch(/job_name: poc3-security[\s\S]*scrape_interval: 6s/);
  });
});

describe('a config write that fails', () => {
  /** Runs `work` with `dir` made unwritable by a mount (root only): a full tmpfs or a read-only bind. */
  const mounted = async (dir: string, how: 'full' | 'read-only', work: () => Promise<void>) => {
    const saved = fs.mkdtempSync(path.join(os.tmpdir(), 'obsdeck-saved-'));
    fs.cpSync(dir, saved, { recursive: true });
    let mountedNow = false;
    try {
      if (how === 'full') {
        // Room for what is there (a page a file, the history holds the whole config set), then
        // filled to the last block: the next file of any size does not fit.
        const files = fs.readdirSync(saved, { recursive: true, withFileTypes: true });
        const room = files.reduce((t, e) => t + 4096 + (e.isFile() ? fs.statSync(path.join(e.parentPath, e.name)).size : 0), 64 * 1024);
        execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${Math.ceil(room / 1024)}k`, 'tmpfs', dir]);
        mountedNow = true;
        fs.cpSync(saved, dir, { recursive: true });
        try {
          fs.writeFileSync(path.join(dir, '.filler'), Buffer.alloc(1 << 22));
        } catch { /* ENOSPC: full, as wanted */ }
      } else {
        execFileSync('mount', ['--bind', dir, dir]);
        mountedNow = true;
        execFileSync('mount', ['-o', 'remount,ro,bind', dir]);
      }
      await work();
    } finally {
      if (mountedNow) execFileSync('umount', [dir]);
      fs.rmSync(saved, { recursive: true, force: true });
    }
  };
  const canMount = process.getuid?.() === 0;

  it.skipIf(!canMount)('a full disk under the history, or a read-only config directory: Apply refuses, and what runs and what is on disk stay as they were', async () => {
    const prom = new PrometheusClient(host.runtime.published('prometheus'));
    const before = { file: promYml(), running: (await prom.config()).yaml, history: host.runtime.history().list().length };
    const draft = before.file.replace(/ {4}scrape_interval: \d+s\n/, '    scrape_interval: 9s\n');
    const apply = () => host.handle('config:apply', { file: 'prometheus.yml', text: draft }, session).then(() => undefined, (e: unknown) => (e as { error: ContractError }).error);
    const historyDir = host.runtime.history().dir;
    await mounted(historyDir, 'full', async () => {
      const err = await apply();
      expect(err?.code).toBe('APPLY_ROLLED_BACK');
      expect(err?.message).toMatch(/could not write the config history .*ENOSPC.*nothing was changed$/);
    });
    await mounted(configDir(), 'read-only', async () => {
      const err = await apply();
      expect(err?.code).toBe('APPLY_ROLLED_BACK');
      expect(err?.message).toMatch(/EROFS.*nothing was changed$/);
    });
    expect(promYml()).toBe(before.file);
    expect((await prom.config()).yaml).toBe(before.running);
    expect(host.runtime.history().list()).toHaveLength(before.history);
    expect(fs.readdirSync(configDir()).filter((n) => n.includes('staged'))).toEqual([]);
  });
});

describe('the applied config is the running config', () => {
  const prom = () => new PrometheusClient(host.runtime.published('prometheus'));
  /** Prometheus runs the last applied files; the status says which version each runs, and the history marks that entry. */
  const runsTheApplied = async () => {
    expect((await prom().config()).yaml).toMatch(/job_name: poc3-security[\s\S]*scrape_interval: 8s/);
    const state = await host.handle('config:get', {}, session) as ConfigState;
    expect(state.history[0]!.runningIn).toEqual(['prometheus', 'alertmanager']);
    expect(state.history.slice(1).every((h) => !h.runningIn?.includes('prometheus'))).toBe(true);
    const status = await host.runtime.stack().status();
    expect(status.find((x) => x.service === 'prometheus')?.configVersion).toMatch(/^[0-9a-f]{12}$/);
  };

  it('Stop, Apply, Start: Prometheus starts with the applied files', async () => {
    await host.handle('stack:stop', { services: ['prometheus'] }, session);
    const text = promYml().replace(/ {4}scrape_interval: \d+s\n/, '    scrape_interval: 8s\n');
    const r = await host.handle('config:apply', { file: 'prometheus.yml', text }, session) as { note: string };
    expect(r.note).toBe('applied to alertmanager'); // Prometheus is stopped: it reads the files when it starts
    progress.length = 0;
    await host.handle('stack:up', { services: ['prometheus'] }, session);
    // Its stopped container is started once: one "starting", one "started".
    expect(progress.filter((e) => e.step === 'start' && e.service === 'prometheus').map((e) => e.state)).toEqual(['started', 'done']);
    await runsTheApplied();
  });

  it('a container left without its configs (the engine died between create and copy) gets them when it starts', async () => {
    const stack = host.runtime.stack();
    const spec = stack.service('prometheus');
    await host.handle('stack:stop', { services: ['prometheus'] }, session);
    const old = (await stack.containers()).get('prometheus')!;
    await docker.getContainer(old.Id).remove({ force: true });
    // Created as `up` creates it, labelled current, and never given its configs.
    const options = stack.createOptions(spec);
    options.Labels = { ...options.Labels, 'com.docker.compose.config-hash': stack.configHash(spec) };
    await docker.createContainer(options);
    await host.handle('stack:up', { services: ['prometheus'] }, session);
    await runsTheApplied();
  });
});

describe('a WebSocket session', () => {
  let running: RunningServe;
  beforeAll(async () => {
    const staticDir = fs.mkdtempSync(path.join(os.tmpdir(), 'obsdeck-static-'));
    fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>t</title>');
    running = await serve({ staticDir, host });
  });
  afterAll(() => running.close());

  it('follows logs until the socket closes; then its streams stop and the session is gone', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${running.port}/ws`, { headers: { origin: `http://127.0.0.1:${running.port}` } });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const sessionsBefore = host.sessions.size + 1; // with this socket's, once it presents the token
    ws.send(JSON.stringify({ auth: running.token }));
    const lines: unknown[] = [];
    const answered = new Promise<unknown>((resolve) => ws.on('message', (d: Buffer) => {
      const m = JSON.parse(d.toString('utf8')) as { id?: number; event?: string; payload?: unknown[]; result?: unknown };
      if (m.event === 'logs:lines') lines.push(...(m.payload ?? []));
      if (m.id === 1) resolve(m.result);
    }));
    ws.send(JSON.stringify({ id: 1, channel: 'logs:follow', args: { services: ['prometheus'], tail: 5 } }));
    expect(await answered).toEqual({ following: ['prometheus'] });
    await expect.poll(() => lines.length, { timeout: 10_000 }).toBeGreaterThan(0);
    const mine = [...host.sessions].find((s) => s.following.includes('logs'));
    expect(mine).toBeDefined();
    ws.close();
    await expect.poll(() => host.sessions.size, { timeout: 5000 }).toBe(sessionsBefore - 1);
    expect(mine!.closed).toBe(true);
    expect(mine!.following).toEqual([]);
  });
});

describe('a port the stack gave up', () => {
  /** Binds `port` on 127.0.0.1 as soon as it is free, recording the Authorization of each request. */
  async function squat(port: number, seen: (string | undefined)[]): Promise<http.Server> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const server = http.createServer((req, res) => {
        seen.push(req.headers.authorization);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"success","data":{"resultType":"vector","result":[]}}');
      });
      const ok = await new Promise<boolean>((resolve) => {
        server.once('error', () => resolve(false));
        server.listen(port, '127.0.0.1', () => resolve(true));
      });
      if (ok) return server;
      if (Date.now() > deadline) throw new Error(`port ${port} never came free`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  it('gets none of the stack\'s credentials: a squatter that takes Prometheus\' port the moment it stops', async () => {
    const base = host.runtime.published('prometheus');
    // Running: the app's client is let in with the stack's user.
    expect(await new PrometheusClient(base).query('1')).toBeDefined();
    const stopping = host.handle('stack:stop', { services: ['prometheus'] }, session);
    const seen: (string | undefined)[] = [];
    const squatter = await squat(Number(new URL(base).port), seen);
    try {
      await stopping;
      // Whatever the app asks now (a page's query, a chart) reaches the squatter without credentials.
      await host.handle('prom:read', { path: 'query', params: { query: 'up' } }, session).catch(() => undefined);
      await new PrometheusClient(base).query('up').catch(() => undefined);
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.filter((a) => a !== undefined)).toEqual([]);
    } finally {
      squatter.close();
    }
  }, 60_000);
});
