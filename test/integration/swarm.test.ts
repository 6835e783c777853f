// The stack on a single-node Docker Swarm that this test makes of its own engine (and leaves
// again, when it made it). First the target contract every target keeps
// (test/helpers/target-contract.ts: up, status, a follow that sees a later service, apply, the
// diff against what runs, restore, what it cannot do, a hung engine, down). Then what only Swarm
// does: deploy with 3 API replicas → Prometheus discovers 3 targets, all up →
// scale to 5 → 5 → one task's container killed: Swarm replaces it and the status shows both →
// a bad config is refused and the running one kept → a good one is live on Prometheus → down
// leaves nothing of the project but its volumes.
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyChange } from '../../main/config/change.js';
import { ConfigHistory } from '../../main/config/store.js';
import { hostsEntry } from '../../main/engine/host-gateway.js';
import { filesIn } from '../../main/engine/run-tool.js';
import { PrometheusClient } from '../../main/prom/client.js';
import { serviceBase } from '../../main/stack/compose.js';
import { loadSpec } from '../../main/config/project.js';
import { followLogs } from '../../main/stack/follow.js';
import { VitalsKeeper } from '../../main/stack/vitals.js';
import { swarmTarget } from '../../main/target/target.js';
import { SWARM_LABEL, SwarmStack } from '../../main/swarm/swarm.js';
import { stackApi } from '../../main/traffic/scenarios.js';
import { waitFor } from '../helpers/http.js';
import { requireImages, testImages } from '../helpers/images.js';
import { startHungEngine, type HungEngine } from '../helpers/hung-engine.js';
import { stackEnv } from '../helpers/stack.js';
import { targetContract, type ContractSetup } from '../helpers/target-contract.js';

const docker = new Docker();
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'obsdeck-swarm-'));
const project = `obsdeck-it-swarm-${process.pid}`;
const SERVICES = ['api_poc3', 'prometheus', 'alertmanager'];
let swarm: SwarmStack;
let prometheus: PrometheusClient;
let configDir: string;
let madeSwarm = false;
let hung: HungEngine;
let contract: ContractSetup;

async function apiTargets(): Promise<{ up: number; instances: string[] }> {
  const t = await prometheus.targets('active').catch(() => ({ activeTargets: [] }));
  const api = t.activeTargets.filter((x) => x.scrapePool === 'poc3-security');
  return { up: api.filter((x) => x.health === 'up').length, instances: api.map((x) => x.labels.instance!).sort() };
}

const upTargets = (n: number) => waitFor(`${n} API targets up`, async () => {
  const t = await apiTargets();
  return t.up === n && t.instances.length === n ? t : undefined;
}, 90_000, 1000);

beforeAll(async () => {
  await requireImages(docker, [testImages.api, testImages.prometheus, testImages.alertmanager]);
  const info = (await docker.info()) as { Swarm?: { LocalNodeState?: string } };
  if (info.Swarm?.LocalNodeState !== 'active') {
    await docker.swarmInit({ ListenAddr: '127.0.0.1:2377', AdvertiseAddr: '127.0.0.1' });
    madeSwarm = true;
  }
  const env = await stackEnv(project, home);
  const loaded = loadSpec({ env, data: home });
  configDir = loaded.configDir;
  swarm = new SwarmStack(docker, loaded.spec);
  prometheus = new PrometheusClient(serviceBase(loaded.spec.services.find((s) => s.name === 'prometheus')!)!);
  hung = await startHungEngine();
  contract = {
    target: swarmTarget(swarm),
    hung: swarmTarget(new SwarmStack(new Docker({ socketPath: hung.socket }), loaded.spec, { engineTimeoutMs: 500 })),
    configDir,
    history: new ConfigHistory(home),
    prometheus,
    volumes: async () => ((await docker.listVolumes({ filters: { label: [`${SWARM_LABEL}=${project}`] } })).Volumes ?? []).map((v) => v.Name).sort(),
    // The API job rewritten for DNS discovery of every replica, not the compose file's static target.
    runningPrometheus: (text) => expect(text).toContain('tasks.api_poc3'),
  };
}, 120_000);

afterAll(async () => {
  await hung?.close();
  await swarm?.down(undefined, { volumes: true }).catch((err: unknown) => console.error(err));
  if (madeSwarm) await docker.swarmLeave({ force: true }).catch((err: unknown) => console.error(err));
  fs.rmSync(home, { recursive: true, force: true });
}, 180_000);

targetContract('swarm', () => contract);

describe('the stack on Docker Swarm', () => {
  it('says what is missing on an engine that is not a swarm manager', async () => {
    expect(await swarm.role()).toBe('manager');
    expect(await swarm.preflight(swarm.spec.services.filter((s) => SERVICES.includes(s.name)))).toEqual([]);
  });

  it('deploys the API with 3 replicas, and Prometheus discovers each of them', async () => {
    const { skipped } = await swarm.up(SERVICES, undefined, { replicas: { api_poc3: 3 } });
    expect(skipped).toEqual([]);
    const st = await swarm.status();
    expect(st.find((s) => s.service === 'api_poc3')).toMatchObject({ replicas: { running: 3, desired: 3 }, ready: true });
    const api = st.find((s) => s.service === 'api_poc3')!;
    const t = await upTargets(3);
    // Each target is a replica's address on the stack's network, named by its task and node.
    const addresses = api.tasks.filter((x) => x.state === 'running').flatMap((x) => x.addresses).map((a) => `${a}:8083`).sort();
    expect(t.instances).toEqual(addresses);
    expect(api.tasks.filter((x) => x.state === 'running').map((x) => x.name).sort()).toEqual(['api_poc3.1', 'api_poc3.2', 'api_poc3.3']);
    expect(api.tasks.every((x) => x.node.length > 0)).toBe(true);
    // Each task's vitals, read on this node (from its cgroup), served to Prometheus by service and slot.
    const keeper = new VitalsKeeper({ docker: () => docker, running: () => swarmTarget(swarm).vitalsSources(), sampled: () => undefined, local: () => true }, 5000);
    const points = await keeper.sample();
    expect(Object.keys(points).filter((k) => k.startsWith('api_poc3/')).sort()).toEqual(['api_poc3/1', 'api_poc3/2', 'api_poc3/3']);
    for (const k of ['api_poc3/1', 'api_poc3/2', 'api_poc3/3']) expect(points[k]!.memoryBytes, k).toBeGreaterThan(1 << 20);
    expect(keeper.metrics()).toMatch(/^container_memory_working_set_bytes\{service="api_poc3",task="2"\} \d+$/m);
    // Alertmanager reaches the app's webhook on the host: host-gateway resolved to the address
    // the engine itself gives it in a `docker run --add-host host.docker.internal:host-gateway`
    // (whether or not its bridge inspect names a Gateway: a first-start dockerd's does not), and
    // that address is one of this machine's, where the app can listen (os.networkInterfaces()
    // leaves out docker0 while no container uses it: its link is down).
    const plain = await docker.createContainer({ Image: testImages.alertmanager, Cmd: ['--version'], HostConfig: { NetworkMode: 'none', ExtraHosts: ['host.docker.internal:host-gateway'] } });
    await plain.start();
    const expected = hostsEntry((await filesIn(plain, ['/etc/hosts']))['/etc/hosts']!.toString('utf8'));
    await plain.remove({ force: true });
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, expected, resolve));
    server.close();
    const am = (await docker.listServices({ filters: { name: [swarm.serviceName('alertmanager')] } }))[0] as { Spec: { TaskTemplate: { ContainerSpec: { Hosts?: string[] } } } };
    expect(am.Spec.TaskTemplate.ContainerSpec.Hosts).toEqual([`${expected} host.docker.internal`]);
    // The target hands out Alertmanager's task container (what the path check and `obsdeck alerts
    // test` read), and the engine wrote that address into it.
    const task = await swarmTarget(swarm).container('alertmanager');
    expect(task).toBeDefined();
    expect(hostsEntry((await filesIn(task!, ['/etc/hosts']))['/etc/hosts']!.toString('utf8'))).toBe(expected);
    // The API's passwords are Swarm secrets it reads through *_FILE, not values in the service's
    // Env (which `docker service inspect` and every worker's `docker inspect` show); a login with
    // the stack's admin password works through them. The secrets' names are keyed, not a plain hash.
    const { base, passwords } = stackApi(swarm.spec);
    const apiSvc = (await docker.listServices({ filters: { name: [swarm.serviceName('api_poc3')] } }))[0] as { Spec: { TaskTemplate: { ContainerSpec: { Env: string[]; Secrets?: { SecretName: string; File: { Name: string } }[] } } } };
    const spec = apiSvc.Spec.TaskTemplate.ContainerSpec;
    expect(spec.Env).toContain('API_ADMIN_PASSWORD_FILE=/run/secrets/obsdeck/api_admin_password');
    expect(JSON.stringify(spec.Env)).not.toContain(passwords.admin);
    expect(JSON.stringify(spec.Env)).not.toContain(passwords.user);
    const adminSecret = spec.Secrets!.find((x) => x.File.Name === '/run/secrets/obsdeck/api_admin_password')!;
    const plainHash = crypto.createHash('sha256').update(Buffer.concat([Buffer.from('/run/secrets/obsdeck/api_admin_password\0'), Buffer.from(passwords.admin)])).digest('hex').slice(0, 12);
    expect(adminSecret.SecretName).not.toContain(plainHash);
    const login = await fetch(`${base}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: passwords.admin }) });
    expect(login.status).toBe(200);
    const overlay = await docker.getNetwork(swarm.networkName).inspect() as { Options?: Record<string, string> };
    expect(overlay.Options?.encrypted).toBe('true');
    // The gateway answers on 127.0.0.1 only, at the compose file's ports.
    const gw = await docker.getContainer(swarm.gatewayName).inspect();
    expect(Object.values(gw.HostConfig.PortBindings as Record<string, { HostIp: string }[]>).flat().every((b) => b.HostIp === '127.0.0.1')).toBe(true);
  }, 240_000);

  it('merges a service\'s logs across its tasks, each line naming its task', async () => {
    const seen = new Set<string>();
    for await (const batch of await swarm.logs(['api_poc3'], { tail: 50 })) {
      for (const l of batch) {
        expect(l.service).toBe('api_poc3');
        seen.add(l.task!);
      }
    }
    expect([...seen].sort()).toEqual(['api_poc3.1', 'api_poc3.2', 'api_poc3.3']);
  }, 60_000);

  it('scales to 5 replicas, and Prometheus follows; a log follow begun before sees the new tasks', async () => {
    const tasksSeen = new Set<string>();
    const follow = await followLogs(swarmTarget(swarm).logSources(), { services: ['api_poc3'], tail: 1 }, (lines) => lines.forEach((l) => tasksSeen.add(l.task!)));
    try {
      await swarmTarget(swarm).scale('api_poc3', 5, () => undefined);
      await upTargets(5);
      expect((await swarm.status()).find((s) => s.service === 'api_poc3')!.replicas).toEqual({ running: 5, desired: 5 });
      // Tasks 4 and 5 started after the follow began; their start-up lines reach it.
      await waitFor('lines of the new tasks', async () => (tasksSeen.has('api_poc3.4') && tasksSeen.has('api_poc3.5') ? true : undefined), 30_000, 500);
    } finally {
      follow.stop();
    }
  }, 180_000);

  it('replaces a replica whose container was killed, and the status shows the replacement', async () => {
    const api = (await swarm.status()).find((s) => s.service === 'api_poc3')!;
    const victim = api.tasks.find((t) => t.state === 'running' && t.containerId)!;
    await docker.getContainer(victim.containerId!).kill();
    const after = await waitFor('a replacement task running', async () => {
      const now = (await swarm.status()).find((s) => s.service === 'api_poc3')!;
      const replacement = now.tasks.find((t) => t.slot === victim.slot && t.id !== victim.id && t.state === 'running');
      return replacement && now.replicas.running === 5 ? now : undefined;
    }, 90_000, 1000);
    const old = after.tasks.find((t) => t.id === victim.id)!;
    expect(old.desiredState).toBe('shutdown');
    expect(old.state).toMatch(/failed|shutdown|complete/);
    await upTargets(5);
  }, 180_000);

  it('applies a config to every replica, and Prometheus keeps discovering all of them', async () => {
    // Refusal, the diff against what runs and restore are the contract's (above); here, a change
    // that reaches Prometheus on Swarm keeps the discovery of the 5 replicas.
    const ctx = { target: swarmTarget(swarm).config(), configDir, history: new ConfigHistory(home) };
    const file = path.join(configDir, 'prometheus.yml');
    const next = fs.readFileSync(file, 'utf8').replace(/scrape_interval: \d+s/, 'scrape_interval: 30s');
    const entry = await applyChange(ctx, { 'prometheus.yml': next });
    expect(entry.note).toMatch(/applied on Swarm to prometheus/);
    await waitFor('Prometheus running the new config', async () => ((await prometheus.config().catch(() => ({ yaml: '' }))).yaml.includes('scrape_interval: 30s') ? true : undefined), 90_000, 1000);
    await upTargets(5);
  }, 240_000);

  it('down removes the services, configs, secrets, network and gateway, and keeps the volumes', async () => {
    await swarm.down();
    const filter = { label: [`${SWARM_LABEL}=${project}`] };
    expect(await docker.listServices({ filters: filter })).toEqual([]);
    expect(await docker.listConfigs({ filters: filter })).toEqual([]);
    expect(await docker.listSecrets({ filters: filter })).toEqual([]);
    expect(await docker.listNetworks({ filters: filter })).toEqual([]);
    expect(await docker.listContainers({ all: true, filters: filter })).toEqual([]);
    const volumes = ((await docker.listVolumes({ filters: filter })).Volumes ?? []).map((v) => v.Name).sort();
    expect(volumes).toEqual(expect.arrayContaining([`${project}_api_data`, `${project}_prometheus_data`]));
  }, 180_000);
});
