// Reconciles the compose model with the engine: pre-flight, up (pull or build, network,
// volumes, containers labelled as Compose labels them, configs copied in through the Engine API,
// dependency order, HTTP readiness), down, restart and status. Every step is reported as an
// event so a UI can show start-up as one visible sequence.
import crypto from 'node:crypto';
import type Docker from 'dockerode';
import { tarOf } from '../engine/run-tool.js';
import { configVersion, versionedTargets } from './config-version.js';
import { fetchWithin } from '../prom/fetch.js';
import { engineDeadlineMs, named, withDeadlines } from '../engine/deadline.js';
import type { ServiceStatus, StackEvent, StackStep } from '../contract.js';
import { serviceBase, startOrder, withDependencies, type ServiceSpec, type StackSpec } from './compose.js';
import { ensureImage } from './image.js';
import { lastLines } from './logs.js';
import { mountedFiles } from './mounts.js';
import { preflightProblems, unavailable, type Skipped } from './preflight.js';
import { serviceStatus } from './status.js';

export { LABEL } from './definition.js';
import { LABEL, containerDefinition } from './definition.js';

/** Where a service says it is ready (DESIGN.md: HTTP readiness, not a Docker healthcheck). */
export const READINESS_PATHS: Record<string, string> = {
  prometheus: '/-/ready',
  alertmanager: '/-/ready',
  grafana: '/api/health',
  api_poc3: '/health',
};
/** A service may name its own readiness path with this label. */
export const READINESS_LABEL = 'org.obsdeck.readiness-path';

export type { StackEvent, ServiceStatus } from '../contract.js';
export type Step = StackStep;
export type OnEvent = (e: StackEvent) => void;

export class PreflightError extends Error {
  constructor(readonly problems: string[]) {
    super(`cannot start the stack:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export type { Skipped } from './preflight.js';

export { mountedFiles } from './mounts.js';

export class ServiceFailed extends Error {
  constructor(readonly service: string, readonly why: string, readonly logs: string[]) {
    super(`${service} ${why}${logs.length ? `; its last log lines:\n${logs.map((l) => `    ${l}`).join('\n')}` : ''}`);
  }
}

interface StackOptions {
  /** Where published ports are reached for readiness probes (the engine's host). */
  probeHost?: string;
  readyTimeoutMs?: number;
  /**
   * How long one engine call may take (a container stop: its grace period more) before it is a
   * TimeoutError: a hung daemon fails the step, and the stack's lock is let go. Pulls and builds
   * are not bounded (they report progress); OBSDECK_ENGINE_TIMEOUT_MS sets it (tests).
   */
  engineTimeoutMs?: number;
  /**
   * The engine is on another machine, its published ports forwarded here (PortForwards): this
   * machine's ports say nothing about the engine's, and our own forwards hold them.
   */
  remote?: boolean;
}

export class Stack {
  /** Where published ports are reached for probes (the engine's host; 127.0.0.1 by default). */
  get probeHost(): string | undefined {
    return this.opts.probeHost;
  }

  /** The config version copied into each container (by container id), for the status. */
  readonly versions = new Map<string, string>();
  readonly network: (name: string) => string;
  readonly volume: (name: string) => string;

  /** The engine, every call bounded in time (engine/deadline.ts, the layer the Swarm target uses too). */
  readonly docker: Docker;

  constructor(docker: Docker, readonly spec: StackSpec, private readonly opts: StackOptions = {}) {
    this.docker = withDeadlines(docker, engineDeadlineMs(opts.remote, opts.engineTimeoutMs));
    this.network = (n) => `${spec.project}_${n}`;
    this.volume = (n) => `${spec.project}_${n}`;
  }

  /**
   * An engine call under the step's own name: every call is already bounded by the deadline layer
   * (a stop by its grace period more); this names the step a TimeoutError reports.
   */
  bounded<T>(what: string, work: Promise<T>): Promise<T> {
    return named(what, work);
  }

  containerName(service: string): string {
    return `${this.spec.project}-${service}-1`;
  }

  service(name: string): ServiceSpec {
    const s = this.spec.services.find((x) => x.name === name);
    if (!s) throw new Error(`no service "${name}" (the stack has ${this.spec.services.map((x) => x.name).join(', ')})`);
    return s;
  }

  /** The containers of this project on the engine, by service (found from their labels). */
  async containers(): Promise<Map<string, Docker.ContainerInfo>> {
    const list = await this.bounded('listing the containers', this.docker.listContainers({ all: true, filters: { label: [`${LABEL.project}=${this.spec.project}`] } }));
    return new Map(list.map((c) => [c.Labels[LABEL.service] ?? c.Names[0] ?? c.Id, c]));
  }

  /** The definition a container is created from; its hash tells whether a container is current. */
  createOptions(s: ServiceSpec): Docker.ContainerCreateOptions {
    return containerDefinition(this, s);
  }

  configHash(s: ServiceSpec): string {
    // The compose labels name files and paths of this machine; the definition is the rest.
    const options = { ...this.createOptions(s), Labels: s.labels };
    const copied = s.mounts.filter((m) => m.type === 'bind').map((m) => m.target);
    return crypto.createHash('sha256').update(JSON.stringify({ options, copied })).digest('hex');
  }

  // ---------------------------------------------------------------------------------------------
  // Pre-flight

  /** Everything that would stop `services` from starting, found before anything is created. */
  preflight(services: ServiceSpec[]): Promise<string[]> {
    return preflightProblems(this, services, { localPorts: !this.opts.remote });
  }

  // ---------------------------------------------------------------------------------------------
  // Up

  private async ensureNetworksAndVolumes(services: ServiceSpec[], on: OnEvent): Promise<void> {
    const nets = new Set(services.flatMap((s) => s.networks));
    const existingNets = new Set((await this.bounded('listing networks', this.docker.listNetworks())).map((n) => n.Name));
    for (const n of nets) {
      const name = this.network(n);
      if (existingNets.has(name)) continue;
      await this.bounded(`creating network ${name}`, this.docker.createNetwork({ Name: name, Driver: 'bridge', CheckDuplicate: true, Labels: { [LABEL.project]: this.spec.project, [LABEL.network]: n, [LABEL.managedBy]: 'obsdeck' } }));
      on({ step: 'network', state: 'done', message: `created network ${name}` });
    }
    const vols = new Set(services.flatMap((s) => s.mounts.filter((m) => m.type === 'volume').map((m) => m.source)));
    const existingVols = new Set(((await this.bounded('listing volumes', this.docker.listVolumes())).Volumes ?? []).map((v) => v.Name));
    for (const v of vols) {
      const name = this.volume(v);
      if (existingVols.has(name)) continue;
      await this.bounded(`creating volume ${name}`, this.docker.createVolume({ Name: name, Labels: { [LABEL.project]: this.spec.project, [LABEL.volume]: v, [LABEL.managedBy]: 'obsdeck' } }));
      on({ step: 'volume', state: 'done', message: `created volume ${name}` });
    }
  }

  /**
   * The configuration files a service mounts, copied into its container (read-only for it).
   * `replace` gives the content of some sources (by host path) instead of what is on disk: a
   * config draft goes in before it is written to the config directory.
   */
  async copyConfigs(container: Docker.Container, s: ServiceSpec, opts: { only?: string[]; replace?: Record<string, Buffer> } = {}): Promise<void> {
    const files = mountedFiles(s, opts.replace);
    const chosen = opts.only ? Object.fromEntries(Object.entries(files).filter(([target]) => opts.only!.includes(target))) : files;
    await this.putFiles(container, s, chosen);
  }

  /**
   * Puts files (target path → content) into a service's container, and remembers the config
   * version it now holds: every copy in, a rollback's included, goes through here.
   */
  async putFiles(container: Docker.Container, s: ServiceSpec, files: Record<string, Buffer>): Promise<void> {
    if (!Object.keys(files).length) return;
    await this.bounded(`copying ${s.name}'s configs in`, container.putArchive(await tarOf(files), { path: '/' }));
    const version = configVersion(s, files);
    if (version && [...versionedTargets(s).keys()].every((t) => t in files)) this.versions.set(container.id, version);
  }

  /**
   * Gets a service's container ready to start and returns what starts it. A new container is
   * created and its configs copied in now, so that work overlaps the starts of what it depends
   * on; a container whose definition changed is replaced only when the start comes (it keeps
   * running until its dependencies have started); a running, unchanged one is left alone.
   */
  private async prepare(s: ServiceSpec, on: OnEvent, existing?: Docker.ContainerInfo): Promise<() => Promise<void>> {
    const hash = this.configHash(s);
    if (existing && existing.Labels[LABEL.configHash] === hash) {
      if (existing.State === 'running') {
        return async () => on({ step: 'start', service: s.name, state: 'skipped', message: `${s.name} is running and up to date` });
      }
      return async () => {
        // The configs are copied in before every start, not only at creation: a config applied
        // while the service was stopped is what it starts with, and a container left without its
        // configs (the engine died between create and copy) gets them now.
        const container = this.docker.getContainer(existing.Id);
        await this.copyConfigs(container, s);
        await this.start(s, container, on);
      };
    }
    if (existing) {
      return async () => {
        on({ step: 'remove', service: s.name, state: 'started', message: `${s.name}'s definition changed: replacing its container` });
        const old = this.docker.getContainer(existing.Id);
        await this.bounded(`stopping ${s.name}`, old.stop({ t: Math.ceil(s.stopGraceS) })).catch(() => undefined);
        await this.bounded(`removing ${s.name}'s old container`, old.remove({ force: true }));
        await this.start(s, await this.create(s, hash, on), on);
      };
    }
    const container = await this.create(s, hash, on);
    return () => this.start(s, container, on);
  }

  /** Creates a service's container with its configs in it (or, failing that, none at all). */
  private async create(s: ServiceSpec, hash: string, on: OnEvent): Promise<Docker.Container> {
    on({ step: 'create', service: s.name, state: 'started', message: `creating ${this.containerName(s.name)}` });
    const options = this.createOptions(s);
    options.Labels = { ...options.Labels, [LABEL.configHash]: hash };
    const container = await this.bounded(`creating ${s.name}`, this.docker.createContainer(options));
    try {
      await this.copyConfigs(container, s);
    } catch (err) {
      // A container without its configs would start with the image's defaults: it goes.
      await container.remove({ force: true }).catch(() => undefined);
      throw err;
    }
    on({ step: 'create', service: s.name, state: 'done', message: `created ${this.containerName(s.name)}` });
    return container;
  }

  private async start(s: ServiceSpec, container: Docker.Container, on: OnEvent): Promise<void> {
    on({ step: 'start', service: s.name, state: 'started', message: `starting ${s.name}` });
    await this.bounded(`starting ${s.name}`, container.start());
    on({ step: 'start', service: s.name, state: 'done', message: `started ${s.name}` });
  }

  private readinessUrl(s: ServiceSpec): string | undefined {
    const p = s.labels[READINESS_LABEL] ?? READINESS_PATHS[s.name];
    const base = serviceBase(s, this.opts.probeHost);
    return p && base ? `${base}${p}` : undefined;
  }

  /** One readiness probe: the HTTP check answers 2xx (or, without one, the container runs). */
  /**
   * `ours`: asked while this stack is starting that very container (or its Swarm gateway), so the
   * port is its own and the credentials go regardless; any other probe (a status, a watch) goes
   * through the app's holds, since the container may have stopped since it was inspected.
   */
  async probe(s: ServiceSpec, state?: string, ours = false): Promise<boolean> {
    const url = this.readinessUrl(s);
    if (!url) return state === 'running';
    try {
      // Short: a published port whose process is not listening yet holds the connection open.
      const res = await fetchWithin(url, 500, {}, { ours });
      await res.body?.cancel();
      return res.ok;
    } catch {
      return false;
    }
  }

  /** Waits until the service answers its readiness probe; fails at once when its container stops. */
  async waitReady(s: ServiceSpec, on: OnEvent): Promise<void> {
    const url = this.readinessUrl(s);
    on({ step: 'ready', service: s.name, state: 'started', message: url ? `waiting for ${url}` : `waiting for ${s.name} to run` });
    const started = Date.now();
    const deadline = started + (this.opts.readyTimeoutMs ?? 120_000);
    const container = this.docker.getContainer(this.containerName(s.name));
    let polls = 0;
    for (;;) {
      if (await this.probe(s, 'running', true)) break;
      // Every few probes (half a second), make sure the container is still alive.
      if (polls++ % 10 === 0) {
        const info = await container.inspect();
        if (!info.State.Running || info.State.Restarting) {
          const why = info.State.Restarting ? `keeps restarting (exit code ${info.State.ExitCode})` : `stopped with exit code ${info.State.ExitCode}`;
          const logs = await lastLines(container, 10);
          on({ step: 'ready', service: s.name, state: 'failed', message: `${s.name} ${why}` });
          throw new ServiceFailed(s.name, why, logs);
        }
      }
      if (Date.now() > deadline) {
        const logs = await lastLines(container, 10);
        const why = `did not answer ${url ?? 'its readiness probe'} within ${Math.round((deadline - started) / 1000)} s`;
        on({ step: 'ready', service: s.name, state: 'failed', message: `${s.name} ${why}` });
        throw new ServiceFailed(s.name, why, logs);
      }
      // Short: most services answer within a second of their start, and a probe is cheap.
      await new Promise((r) => setTimeout(r, 50));
    }
    on({ step: 'ready', service: s.name, state: 'done', message: `${s.name} is ready (${((Date.now() - started) / 1000).toFixed(1)} s)` });
  }

  /**
   * Brings `names` (all services when empty) and their dependencies up: idempotent, so running
   * and unchanged containers are left alone and changed ones are replaced. Resolves when every
   * one is ready (with `wait`), or started.
   */
  async up(names: string[] = [], on: OnEvent = () => undefined, opts: { wait?: boolean } = { wait: true }): Promise<{ skipped: Skipped[] }> {
    const wanted = names.length ? withDependencies(this.spec, names) : this.spec.services;
    on({ step: 'preflight', state: 'started', message: `checking the engine, ports and images of ${wanted.map((s) => s.name).join(', ')}` });
    const problems = await this.preflight(wanted);
    // A service whose image cannot be had is skipped with what needs it; the others start.
    const skipped = unavailable(wanted, problems);
    const services = wanted.filter((s) => !skipped.some((k) => k.service === s.name));
    const blocking = problems.filter((p) => !skipped.some((k) => k.details === p));
    if (blocking.length || !services.length) {
      on({ step: 'preflight', state: 'failed', message: (blocking.length ? blocking : problems).join('\n') });
      throw new PreflightError(blocking.length ? blocking : problems);
    }
    for (const k of skipped) on({ step: 'preflight', service: k.service, state: 'skipped', message: `${k.service} skipped: ${k.why}` });
    on({ step: 'preflight', state: 'done', message: skipped.length ? `starting ${services.map((s) => s.name).join(', ')}` : 'engine, ports and images are fine' });
    await Promise.all(services.map((s) => ensureImage(this.docker, s, on)));
    await this.ensureNetworksAndVolumes(services, on);
    const existing = await this.containers();
    // A service's container is created once its dependencies' are (theirs first: they start
    // first), so it is made while they start; each service starts as soon as what it depends on
    // has started (or, for service_healthy, answers its probe), not when its whole level has. A
    // service whose dependency failed is not started (its new container may stay created).
    const prepared = new Map<string, Promise<() => Promise<void>>>();
    const started = new Map<string, Promise<void>>();
    const ready = new Map<string, Promise<void>>();
    for (const s of startOrder(services).flat()) {
      const deps = s.dependsOn.flatMap((d) => prepared.get(d.service) ?? []);
      prepared.set(s.name, Promise.all(deps).then(() => this.prepare(s, on, existing.get(s.name))));
      const start = (async () => {
        const begin = await prepared.get(s.name)!;
        for (const d of s.dependsOn) await (d.condition === 'service_healthy' ? ready : started).get(d.service);
        await begin();
      })();
      const r = start.then(() => this.waitReady(s, on));
      // Observed below: every start, and every probe unless the caller does not wait.
      start.catch(() => undefined);
      r.catch(() => undefined);
      started.set(s.name, start);
      ready.set(s.name, r);
    }
    await Promise.all(started.values());
    if (opts.wait !== false) await Promise.all(ready.values());
    return { skipped };
  }

  // ---------------------------------------------------------------------------------------------
  // Down, restart

  /** Stops in reverse dependency order (with each service's grace period) and removes the containers; volumes stay unless asked. */
  async down(on: OnEvent = () => undefined, opts: { volumes?: boolean } = {}): Promise<void> {
    const existing = await this.containers();
    const known = startOrder(this.spec.services).reverse();
    const orphans = [...existing.keys()].filter((n) => !this.spec.services.some((s) => s.name === n));
    const levels: { name: string; graceS: number }[][] = [
      orphans.map((name) => ({ name, graceS: 10 })),
      ...known.map((level) => level.map((s) => ({ name: s.name, graceS: s.stopGraceS }))),
    ];
    for (const level of levels) {
      await Promise.all(level.map(async ({ name, graceS }) => {
        const info = existing.get(name);
        if (!info) return;
        await this.stopContainer(info, name, graceS, on);
        await this.bounded(`removing ${name}`, this.docker.getContainer(info.Id).remove({ force: true }));
        on({ step: 'remove', service: name, state: 'done', message: `removed ${this.containerName(name)}` });
      }));
    }
    for (const n of this.spec.networks) {
      const net = this.docker.getNetwork(this.network(n));
      await net.remove().then(() => on({ step: 'remove', state: 'done', message: `removed network ${this.network(n)}` }), () => undefined);
    }
    if (opts.volumes) {
      const vols = (await this.docker.listVolumes({ filters: { label: [`${LABEL.project}=${this.spec.project}`] } })).Volumes ?? [];
      for (const v of vols) {
        await this.docker.getVolume(v.Name).remove();
        on({ step: 'remove', state: 'done', message: `removed volume ${v.Name}` });
      }
    }
  }

  /** Stops services (their containers stay, so a start is quick); with no names, all of them. */
  async stop(names: string[], on: OnEvent = () => undefined): Promise<void> {
    const targets = names.length ? names.map((n) => this.service(n)) : this.spec.services;
    const existing = await this.containers();
    await Promise.all(targets.map(async (s) => {
      const info = existing.get(s.name);
      if (info) await this.stopContainer(info, s.name, s.stopGraceS, on);
    }));
  }

  /** Stops a running (or restarting) container within its grace period; one that stopped meanwhile is fine. */
  private async stopContainer(info: Docker.ContainerInfo, service: string, graceS: number, on: OnEvent): Promise<void> {
    if (info.State !== 'running' && info.State !== 'restarting') return;
    on({ step: 'stop', service, state: 'started', message: `stopping ${service} (grace ${graceS} s)` });
    await this.bounded(`stopping ${service}`, this.docker.getContainer(info.Id).stop({ t: Math.ceil(graceS) })).catch((err: unknown) => {
      if (!/already stopped|not running/i.test(String(err))) throw err;
    });
    on({ step: 'stop', service, state: 'done', message: `stopped ${service}` });
  }

  async restart(names: string[], on: OnEvent = () => undefined): Promise<void> {
    const targets = names.length ? names.map((n) => this.service(n)) : this.spec.services;
    const existing = await this.containers();
    for (const s of targets) {
      const info = existing.get(s.name);
      if (!info) throw new Error(`${s.name} has no container: \`up\` first`);
      on({ step: 'stop', service: s.name, state: 'started', message: `restarting ${s.name}` });
      // Stop, copy the configs in, start: a restart runs the applied configs, like a start.
      const container = this.docker.getContainer(info.Id);
      await this.bounded(`stopping ${s.name}`, container.stop({ t: Math.ceil(s.stopGraceS) })).catch((err: unknown) => {
        if (!/already stopped|not running/i.test(String(err))) throw err;
      });
      await this.copyConfigs(container, s);
      await this.bounded(`starting ${s.name}`, container.start());
    }
    await Promise.all(targets.map((s) => this.waitReady(s, on)));
  }

  // ---------------------------------------------------------------------------------------------
  // Status

  /** One service's status, from its container (see status.ts). */
  statusOf(s: ServiceSpec, info?: Docker.ContainerInfo): Promise<ServiceStatus> {
    return serviceStatus(this, s, info);
  }

  /** One snapshot per service of the compose file. */
  async status(): Promise<ServiceStatus[]> {
    const existing = await this.containers();
    return Promise.all(this.spec.services.map((s) => this.statusOf(s, existing.get(s.name))));
  }
}
