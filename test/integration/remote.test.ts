// The app against a Docker engine on another host, over SSH: a second dockerd and an sshd in a
// network namespace this test makes (test/helpers/remote-host.ts), reached at an address the
// test assigns. An unknown host key is refused with how to add it; with the key known, Start
// runs the stack there, and everything after creation works through the forwarded ports on
// this machine's 127.0.0.1: readiness, Prometheus' targets and queries, the traffic generator;
// alerts come by polling Alertmanager (no webhook here can be reached from there), and the
// Alerts view is told so. A port of the user's that another process holds here is left to it:
// that service is forwarded to a port the system picks, and the squatter receives nothing. Stop
// leaves nothing on the remote engine.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NoticesState, StackSnapshot, TargetInfo, TrafficState } from '../../main/contract.js';
import { discoverEngine } from '../../main/engine/discover.js';
import { Host, type Session } from '../../main/host/host.js';
import { requireImages, testImages } from '../helpers/images.js';
import { cannotMakeRemoteHost, makeRemoteHost, type RemoteHost } from '../helpers/remote-host.js';
import { stackEnv } from '../helpers/stack.js';
import { waitFor } from '../helpers/http.js';

const why = cannotMakeRemoteHost();
if (why) console.warn(`skipped: the remote-engine test (${why})`);

const SERVICES = ['api_poc3', 'prometheus', 'alertmanager'];
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'obsdeck-remote-'));
let remote: RemoteHost | undefined;
let env: NodeJS.ProcessEnv;
let host: Host | undefined;
let session: Session;
/** Holds Prometheus' port on this machine before the app starts, and records what it is sent. */
let squatter: http.Server | undefined;
const squatted: string[] = [];
const progress: string[] = [];

describe.skipIf(why !== undefined)('a Docker engine on another host, over SSH', () => {
  beforeAll(async () => {
    await requireImages(new Docker(), [testImages.api, testImages.prometheus, testImages.alertmanager]);
    remote = await makeRemoteHost([testImages.api, testImages.prometheus, testImages.alertmanager]);
    env = await stackEnv(`obsdeck-remote-${process.pid}`, home, {
      DOCKER_HOST: remote.endpoint, OBSDECK_SSH_KEY: remote.keyFile, OBSDECK_SSH_KNOWN_HOSTS: remote.knownHosts, SSH_AUTH_SOCK: '',
    });
    delete env.SSH_AUTH_SOCK;
    squatter = http.createServer((req, res) => {
      squatted.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`);
      res.end();
    });
    await new Promise<void>((r) => squatter!.listen(Number(env.PROMETHEUS_PORT), '127.0.0.1', r));
  }, 240_000);

  afterAll(async () => {
    host?.close();
    squatter?.close();
    if (remote) {
      for (const c of await remote.docker.listContainers({ all: true }).catch(() => [])) await remote.docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
      await remote.stop();
    }
    fs.rmSync(home, { recursive: true, force: true });
  }, 120_000);

  it('refuses a host whose key is not in known_hosts, and says how to add it', async () => {
    const empty = path.join(home, 'empty_known_hosts');
    fs.writeFileSync(empty, '');
    const { status } = await discoverEngine({ ...env, OBSDECK_SSH_KNOWN_HOSTS: empty });
    expect(status.reachable).toBe(false);
    if (status.reachable) return;
    expect(status.tried[0]!.error).toBe(`the host key of ${remote!.address} is not in ${empty}; check the key and add it (ssh-keyscan ${remote!.address} >> ${empty})`);
  }, 60_000);

  it('starts the stack there, and the app reaches every service through the forwarded ports', async () => {
    host = new Host({ env, data: home, defaultServices: SERVICES });
    await host.start();
    session = host.connect((event, payload) => {
      if (event === 'stack:progress') progress.push((payload as { message?: string }).message ?? '');
    });
    const engine = host.runtime.engineStatus();
    expect(engine).toMatchObject({ reachable: true, endpoint: remote!.endpoint });
    const snap = await host.handle('stack:up', {}, session) as StackSnapshot;
    expect(snap.services.filter((s) => SERVICES.includes(s.service)).map((s) => [s.service, s.state, s.ready])).toEqual(SERVICES.map((s) => [s, 'running', true]));
    // The containers are on the remote engine, and none on this one.
    const there = (await remote!.docker.listContainers()).map((c) => c.Labels['com.docker.compose.service']).sort();
    expect(there).toEqual([...SERVICES].sort());
    expect(await new Docker().listContainers({ filters: { label: [`com.docker.compose.project=${env.OBSDECK_PROJECT}`] } })).toEqual([]);
    // Each service's URL is this machine's 127.0.0.1, where the forward answers.
    const api = snap.services.find((s) => s.service === 'api_poc3')!;
    expect(api.url).toBe(`http://127.0.0.1:${env.API_PORT}`);
    expect((await fetch(`${api.url}/health`)).status).toBe(200);
    // Prometheus' own port is taken here: it is reached at the port its forward got instead.
    const prometheus = snap.services.find((s) => s.service === 'prometheus')!;
    expect(prometheus.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(prometheus.url).not.toBe(`http://127.0.0.1:${env.PROMETHEUS_PORT}`);
    // The Engine API goes over channels to the engine's socket on one SSH connection: no
    // `docker system dial-stdio` process per request (or per open event stream) on the remote.
    const dialers = await promisify(execFile)('pgrep', ['-fc', 'docker system dial-stdio']).then((r) => Number(r.stdout.trim()), () => 0);
    expect(dialers).toBe(0);
    expect(progress).toContainEqual(expect.stringMatching(new RegExp(`^this machine's 127\\.0\\.0\\.1:${env.PROMETHEUS_PORT} is taken( by .+)?, so prometheus's port ${env.PROMETHEUS_PORT} on the remote engine is forwarded to ${prometheus.url!.replace('http://', '').replace(/\./g, '\\.')} here$`)));
  }, 240_000);

  it('shows Prometheus\' targets up, runs traffic, and takes alerts by polling Alertmanager', async () => {
    const targets = await waitFor('the API, Prometheus and Alertmanager targets up', async () => {
      const t = await host!.handle('targets:list', {}, session) as TargetInfo[];
      return ['alertmanager', 'poc3-security', 'prometheus'].every((pool) => t.some((x) => x.pool === pool && x.health === 'up')) ? t : undefined;
    }, 60_000, 1000);
    expect(targets.find((t) => t.pool === 'poc3-security')!.lastError).toBe('');
    await host!.handle('traffic:start', { scenario: 'normal', durationS: 3, rate: 10 }, session);
    const run = await waitFor('the traffic run done', async () => {
      const state = await host!.handle('traffic:status', {}, session) as TrafficState;
      const r = state.runs.find((x) => x.scenario === 'normal');
      return r && !r.running ? r : undefined;
    }, 30_000, 500);
    expect(run.error).toBeUndefined();
    expect(run.sent).toBeGreaterThan(10);
    expect(Object.keys(run.byStatus).every((s) => Number(s) < 500)).toBe(true);
    const alerts = await host!.handle('alerts:notices', {}, session) as NoticesState;
    expect(alerts.pollingEveryS).toBe(10);
    // Every query, probe and alert poll went to the forward: the process on the user's port got nothing.
    expect(squatted).toEqual([]);
  }, 120_000);

  it('stops the stack and leaves nothing on the remote engine but the volumes', async () => {
    await host!.handle('stack:down', {}, session);
    expect(await remote!.docker.listContainers({ all: true })).toEqual([]);
    const volumes = ((await remote!.docker.listVolumes()).Volumes ?? []).map((v) => v.Name);
    expect(volumes).toEqual(expect.arrayContaining([`${env.OBSDECK_PROJECT}_api_data`]));
  }, 300_000);
});
