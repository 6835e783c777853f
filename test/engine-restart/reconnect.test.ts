// The Docker daemon stops and starts again under a running stack: the live status must show
// the engine gone at once (no stale "running"), reconnect with backoff, resubscribe to events
// and end up right. This restarts the machine's dockerd, so scripts/test.ts runs it alone, after
// the other integration tests, and only where dockerd is its own to restart (CI, this machine).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDockerEngine } from '../../scripts/lib/docker-engine.js';
import { loadSpec } from '../../main/config/project.js';
import { Stack } from '../../main/stack/stack.js';
import { StatusWatcher, type EngineState } from '../../main/stack/watch.js';
import type { LogLine } from '../../main/contract.js';
import { Host } from '../../main/host/host.js';
import { waitFor } from '../helpers/http.js';
import { requireImages, testImages } from '../helpers/images.js';
import { removeStack, stackEnv } from '../helpers/stack.js';

const docker = new Docker();
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'obsdeck-home-'));
const project = `obsdeck-restart-${process.pid}`;
let stack: Stack;
let env: NodeJS.ProcessEnv;


beforeAll(async () => {
  await requireImages(docker, [testImages.prometheus, testImages.alertmanager, testImages.api]);
  env = await stackEnv(project, home);
  stack = new Stack(docker, loadSpec({ project, env, data: home }).spec);
  await stack.up(['api_poc3', 'prometheus', 'alertmanager'], undefined, { wait: true });
}, 180_000);

afterAll(() => removeStack(stack, home), 180_000);

describe('the Docker daemon goes away and comes back', () => {
  it('status shows the engine gone at once, then reconnects and shows the stack running and ready again', async () => {
    const watcher = new StatusWatcher(stack, { backoffMs: [200, 400, 800] });
    const engineStates: EngineState[] = [];
    watcher.on('engine', (s) => engineStates.push(s));
    await watcher.start();
    try {
      expect(watcher.snapshot().filter((s) => s.state === 'running' && s.ready)).toHaveLength(3);
      execFileSync('pkill', ['-TERM', '-x', 'dockerd']);
      const gone = await waitFor('every service shown as unknown', async () => {
        const snap = watcher.snapshot();
        return snap.every((s) => s.state === 'unknown' && !s.ready) ? snap : undefined;
      }, 60_000, 50);
      expect(gone[0]?.lastLogs?.[0]).toMatch(/^Docker engine unreachable: /);
      await waitFor('dockerd gone', async () => (fs.existsSync('/var/run/docker.pid') ? undefined : true), 60_000, 200);
      await ensureDockerEngine();
      const back = await waitFor('the stack running and ready after the restart', async () => {
        const snap = watcher.snapshot().filter((s) => s.service !== 'grafana');
        return snap.every((s) => s.state === 'running' && s.ready) ? snap : undefined;
      }, 90_000, 200);
      expect(back).toHaveLength(3);
      expect(watcher.engineConnected).toBe(true);
      expect(engineStates.some((s) => !s.connected)).toBe(true);
      expect(engineStates.at(-1)?.connected).toBe(true);
      // Subscribed again: a change now still reaches the watcher through events.
      await docker.getContainer(`${project}-alertmanager-1`).stop({ t: 1 });
      await waitFor('alertmanager shown exited', async () => (watcher.snapshot().find((s) => s.service === 'alertmanager')?.state === 'exited' ? true : undefined), 30_000, 50);
    } finally {
      watcher.stop();
    }
  });

  it('a followed Logs view keeps following: the streams start again from the last line when the engine is back', async () => {
    const host = new Host({ env, data: home, webhook: false });
    await host.start();
    const lines: LogLine[] = [];
    const session = host.connect((event, payload) => {
      if (event === 'logs:lines') lines.push(...(payload as LogLine[]));
    });
    try {
      await waitFor('Prometheus ready for the host', async () => (host.runtime.snapshot().services.find((s) => s.service === 'prometheus')?.ready ? true : undefined), 60_000, 200);
      expect(await host.handle('logs:follow', { services: ['prometheus'], tail: 5 }, session)).toEqual({ following: ['prometheus'] });
      await waitFor('the first lines', async () => (lines.length ? true : undefined), 15_000, 100);
      const before = lines.length;
      const lastBefore = lines.at(-1)!.time;
      execFileSync('pkill', ['-TERM', '-x', 'dockerd']);
      await waitFor('dockerd gone', async () => (fs.existsSync('/var/run/docker.pid') ? undefined : true), 60_000, 200);
      await ensureDockerEngine();
      // Prometheus restarts with the daemon (restart policy) and logs its start: those lines arrive.
      const fresh = await waitFor('lines logged after the restart', async () => {
        const after = lines.slice(before);
        return after.some((l) => /Server is ready to receive web requests/.test(l.text)) ? after : undefined;
      }, 120_000, 200);
      expect(fresh.every((l) => l.time > lastBefore)).toBe(true); // none delivered twice
      expect(session.following).toEqual(['logs']);
    } finally {
      session.dispose();
      host.close();
    }
  });
});
