// The same compose model run on Docker Swarm, through the Engine API (services, configs,
// secrets, an attachable overlay network, tasks): replicas for the API, Prometheus discovering
// each replica by DNS (tasks.<service>), configs versioned by a hash of their content (Swarm's
// configs are immutable), and a gateway container that publishes the services on 127.0.0.1
// only (Swarm's own publishing binds every interface), at the ports the compose file names, so
// the probes, clients, traffic generator and pages work as they do without Swarm.
import crypto from 'node:crypto';
import path from 'node:path';
import type Docker from 'dockerode';
import { engineDeadlineMs, withDeadlines } from '../engine/deadline.js';
import { bridgeGateway, probeHostGateway } from '../engine/host-gateway.js';
import type { LogLine, StackEvent } from '../contract.js';
import type { ServiceSpec, StackSpec } from '../stack/compose.js';
import type { LogSources } from '../stack/follow.js';
import { containerBatches, mergeBatches, type LogOptions } from '../stack/logs.js';
import { unavailable, type Skipped } from '../stack/preflight.js';
import { portFree } from '../stack/ports.js';
import { mountedFiles, Stack } from '../stack/stack.js';
import { GATEWAY_JS } from './gateway.js';
import { prometheusForSwarm } from './prometheus.js';
import { ENV_SECRETS, envSecretPath, isSecret, secretKey } from './secrets.js';
import { readStatus, type SwarmServiceStatus } from './status.js';

export type { SwarmServiceStatus, TaskInfo } from './status.js';
export { ENV_SECRETS } from './secrets.js';

export const SWARM_LABEL = 'org.obsdeck.swarm.project';
const SERVICE_LABEL = 'org.obsdeck.service';
const TARGET_LABEL = 'org.obsdeck.target';

type OnEvent = (e: StackEvent) => void;

export class SwarmError extends Error {}

async function* retag(batches: AsyncIterable<LogLine[]>, task: string): AsyncGenerator<LogLine[]> {
  for await (const lines of batches) yield lines.map((l) => ({ ...l, task }));
}

const sha = (b: Buffer | string) => crypto.createHash('sha256').update(b).digest('hex');


export class SwarmStack {
  /** For the probes and where each service is reached (the gateway publishes the compose file's ports). */
  readonly local: Stack;
  readonly project: string;

  /** The engine, every call with a deadline (engine/deadline.ts): a hung daemon fails the step, never holds the lock. */
  readonly docker: Docker;

  constructor(docker: Docker, readonly spec: StackSpec, private readonly opts: { readyTimeoutMs?: number; engineTimeoutMs?: number; remote?: boolean } = {}) {
    this.docker = withDeadlines(docker, engineDeadlineMs(opts.remote, opts.engineTimeoutMs));
    this.local = new Stack(docker, spec, { ...(opts.engineTimeoutMs ? { engineTimeoutMs: opts.engineTimeoutMs } : {}), ...(opts.remote ? { remote: true } : {}) });
    this.project = spec.project;
  }

  serviceName(name: string): string {
    return `${this.project}_${name}`;
  }

  get networkName(): string {
    return `${this.project}_${this.spec.networks[0] ?? 'default'}`;
  }

  get gatewayName(): string {
    return `${this.project}-gateway`;
  }

  private labels(extra: Record<string, string> = {}): Record<string, string> {
    return { [SWARM_LABEL]: this.project, 'com.docker.stack.namespace': this.project, ...extra };
  }

  /** manager, worker, or inactive (not part of a swarm). */
  async role(): Promise<'manager' | 'worker' | 'inactive'> {
    const info = (await this.docker.info()) as { Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean } };
    if (info.Swarm?.LocalNodeState !== 'active') return 'inactive';
    return info.Swarm.ControlAvailable ? 'manager' : 'worker';
  }

  /**
   * Makes this engine a single-node swarm, advertising 127.0.0.1 (nothing outside this machine
   * can join). What changes: the engine takes services, and keeps a docker_gwbridge network.
   */
  async initSingleNode(): Promise<void> {
    await this.docker.swarmInit({ ListenAddr: '127.0.0.1:2377', AdvertiseAddr: '127.0.0.1' });
  }

  /** What would stop the services from running on Swarm, said before anything is made. */
  async preflight(services: ServiceSpec[]): Promise<string[]> {
    const problems: string[] = [];
    const role = await this.role();
    if (role === 'inactive') return ['this Docker engine is not part of a swarm: make it a single-node swarm (`obsdeck up --swarm --init`, or the Stack view offers it), or point DOCKER_HOST at a swarm manager'];
    if (role === 'worker') return ['this Docker engine is a swarm worker: services can only be deployed from a manager; point DOCKER_HOST at one'];
    for (const s of services) {
      // One node: images are used as they are on the engine (no registry to distribute them).
      if (!(await this.docker.getImage(s.image).inspect().then(() => true, () => false))) {
        problems.push(`image ${s.image} for ${s.name} is not on the engine and cannot be pulled (Swarm runs the images on the engine); import it (Images) or build it`);
      }
    }
    const gateway = await this.docker.getContainer(this.gatewayName).inspect().then((c) => c.State.Running, () => false);
    if (!gateway) {
      for (const s of services) {
        for (const p of s.ports) {
          if (!(await portFree(p.hostPort, '127.0.0.1'))) problems.push(`port ${p.hostPort} on 127.0.0.1 for ${s.name} is in use${p.variable ? `; set ${p.variable} to a free port` : ''}`);
        }
      }
    }
    return problems;
  }

  /** The network, creating it (overlay, attachable so the gateway container can join it). */
  private async ensureNetwork(on: OnEvent): Promise<string> {
    const found = (await this.docker.listNetworks({ filters: { name: [this.networkName] } })).find((n) => n.Name === this.networkName);
    if (found) return found.Id;
    // Encrypted: between nodes the services' traffic (Basic credentials to Prometheus and
    // Alertmanager, the webhook's token, logins) goes over IPsec, not in clear. (On one node it
    // never leaves the host.)
    const net = await this.docker.createNetwork({ Name: this.networkName, Driver: 'overlay', Attachable: true, Options: { encrypted: 'true' }, Labels: this.labels() });
    on({ step: 'network', state: 'done', message: `created encrypted overlay network ${this.networkName}` });
    return net.id;
  }

  /** A config or secret holding `data`, named by its content's hash; made when missing. */
  private async versioned(kind: 'config' | 'secret', service: string, target: string, data: Buffer): Promise<{ id: string; name: string }> {
    const content = Buffer.concat([Buffer.from(`${target}\0`), data]);
    // A config's name is a hash of what it holds; a secret's is keyed (secretKey), so its name
    // says nothing of its value to whoever can list the swarm's secrets.
    const digest = kind === 'secret' ? crypto.createHmac('sha256', (this.key ??= secretKey(this.spec.services))).update(content).digest('hex') : sha(content);
    const name = `${this.project}_${service}_${digest.slice(0, 12)}`;
    const list = kind === 'config' ? await this.docker.listConfigs({ filters: { name: [name] } }) : await this.docker.listSecrets({ filters: { name: [name] } });
    const found = (list as { ID: string; Spec?: { Name?: string } }[]).find((c) => c.Spec?.Name === name);
    if (found) return { id: found.ID, name };
    const body = { Name: name, Labels: this.labels({ [SERVICE_LABEL]: service, [TARGET_LABEL]: target }), Data: data.toString('base64') };
    const made: unknown = kind === 'config' ? await this.docker.createConfig(body) : await this.docker.createSecret(body);
    return { id: (made as { id: string }).id, name };
  }

  /** The files a service mounts, as Swarm configs and secrets (Prometheus' with the API discovered per replica). */
  private key?: Buffer;

  private async filesFor(s: ServiceSpec, replace: Record<string, Buffer> = {}): Promise<{ Configs: object[]; Secrets: object[] }> {
    const files = mountedFiles(s, replace);
    for (const [k, v] of Object.entries(s.environment)) if (ENV_SECRETS[k] && v) files[envSecretPath(k)] = Buffer.from(v);
    const Configs: object[] = [];
    const Secrets: object[] = [];
    for (const [target, raw] of Object.entries(files)) {
      const data = path.posix.basename(target) === 'prometheus.yml' ? Buffer.from(prometheusForSwarm(raw.toString('utf8'), this.spec.services)) : raw;
      if (isSecret(target) || target.startsWith('/run/secrets/obsdeck/')) {
        const { id, name } = await this.versioned('secret', s.name, target, data);
        Secrets.push({ SecretID: id, SecretName: name, File: { Name: target, UID: '0', GID: '0', Mode: 0o444 } });
      } else {
        const { id, name } = await this.versioned('config', s.name, target, data);
        Configs.push({ ConfigID: id, ConfigName: name, File: { Name: target, UID: '0', GID: '0', Mode: 0o444 } });
      }
    }
    return { Configs, Secrets };
  }

  /**
   * extra_hosts as Swarm takes them ("IP name"). Swarm writes them into /etc/hosts as they are,
   * so `host-gateway` (which only `docker run` resolves) becomes the address the engine itself
   * gives host-gateway (asked with a throwaway container of the service's image; else the
   * default bridge's gateway, as dockerd computes it): the host's address that the app's alert
   * webhook listens on, reachable from a task.
   */
  private async hosts(extra: string[], image: string): Promise<string[]> {
    const gateway = extra.some((e) => e.endsWith(':host-gateway'))
      ? (await probeHostGateway(this.docker, image, ['--version'])) ?? (await bridgeGateway(this.docker))
      : undefined;
    return extra.flatMap((e) => {
      const at = e.lastIndexOf(':');
      const [host, ip] = [e.slice(0, at), e.slice(at + 1)];
      const address = ip === 'host-gateway' ? gateway : ip;
      return address ? [`${address} ${host}`] : [];
    });
  }

  private async serviceSpec(s: ServiceSpec, networkId: string, replicas: number, replace: Record<string, Buffer> = {}): Promise<Record<string, unknown>> {
    const { Configs, Secrets } = await this.filesFor(s, replace);
    const h = s.healthcheck;
    const ns = (sec?: number) => (sec === undefined ? undefined : Math.round(sec * 1e9));
    return {
      Name: this.serviceName(s.name),
      Labels: this.labels({ [SERVICE_LABEL]: s.name }),
      TaskTemplate: {
        ContainerSpec: {
          Image: s.image,
          ...(s.entrypoint ? { Command: s.entrypoint } : {}),
          ...(s.command ? { Args: s.command } : {}),
          Env: Object.entries(s.environment).map(([k, v]) => (ENV_SECRETS[k] && v ? `${ENV_SECRETS[k]}=${envSecretPath(k)}` : `${k}=${v}`)),
          Labels: this.labels({ [SERVICE_LABEL]: s.name }),
          Mounts: s.mounts.flatMap((m) => (m.type === 'volume' ? [{ Type: 'volume', Source: `${this.project}_${m.source}`, Target: m.target, ReadOnly: m.readOnly, VolumeOptions: { Labels: this.labels() } }] : [])),
          Configs,
          Secrets,
          ...(h ? { Healthcheck: { Test: h.test, Interval: ns(h.intervalS), Timeout: ns(h.timeoutS), Retries: h.retries, StartPeriod: ns(h.startPeriodS) } } : {}),
          StopGracePeriod: ns(s.stopGraceS),
          ...(s.extraHosts.length ? { Hosts: await this.hosts(s.extraHosts, s.image) } : {}),
        },
        RestartPolicy: { Condition: s.restart === 'no' ? 'none' : s.restart === 'on-failure' ? 'on-failure' : 'any', Delay: 2e9 },
        // Prometheus keeps its TSDB on a node's volume: it runs on a manager, as the issue's deploy section says.
        ...(s.name === 'prometheus' ? { Placement: { Constraints: ['node.role==manager'] } } : {}),
        Networks: [{ Target: networkId, Aliases: [s.name] }],
      },
      Mode: { Replicated: { Replicas: replicas } },
      UpdateConfig: { Parallelism: 1, Order: 'stop-first', FailureAction: 'rollback', Monitor: 5e9 },
      RollbackConfig: { Parallelism: 1, Order: 'stop-first' },
      // DNS round robin, not a virtual IP: the VIP needs the kernel's IPVS, which many hosts
      // (this project's CI among them) lack, and then every connection to the service name fails
      // with EHOSTUNREACH although the tasks answer. Nothing is published through the routing
      // mesh (the gateway publishes), so dnsrr loses nothing; `tasks.<service>` works either way.
      EndpointSpec: { Mode: 'dnsrr' },
    };
  }

  async services(): Promise<Map<string, Docker.Service & { Spec?: { Mode?: { Replicated?: { Replicas?: number } }; TaskTemplate?: { ContainerSpec?: { Image?: string } } } }>> {
    const list = await this.docker.listServices({ filters: { label: [`${SWARM_LABEL}=${this.project}`] } });
    return new Map(list.map((s) => [s.Spec?.Labels?.[SERVICE_LABEL] ?? s.Spec?.Name ?? s.ID, s]));
  }

  /** Whether this project runs on Swarm now (any of its services exists). */
  async deployed(): Promise<boolean> {
    return (await this.services()).size > 0;
  }

  /**
   * Deploys `names` (all when none) with `replicas` per service (1 when not given; an existing
   * service keeps its count): configs, network, services, the gateway, then waits until every
   * replica runs and each service answers through the gateway.
   */
  async up(names: string[] = [], on: OnEvent = () => undefined, opts: { replicas?: Record<string, number> } = {}): Promise<{ skipped: Skipped[] }> {
    const wanted = names.length ? this.spec.services.filter((s) => names.includes(s.name)) : this.spec.services;
    on({ step: 'preflight', state: 'started', message: `checking the swarm, images and ports for ${wanted.map((s) => s.name).join(', ')}` });
    const problems = await this.preflight(wanted);
    const skipped = unavailable(wanted, problems);
    const blocking = problems.filter((p) => !/^image /.test(p));
    if (blocking.length) {
      on({ step: 'preflight', state: 'failed', message: blocking.join('; ') });
      throw new SwarmError(blocking.join('\n'));
    }
    for (const k of skipped) on({ step: 'preflight', service: k.service, state: 'skipped', message: k.why });
    const services = wanted.filter((s) => !skipped.some((k) => k.service === s.name));
    on({ step: 'preflight', state: 'done', message: `deploying ${services.map((s) => s.name).join(', ')} on Swarm` });
    const networkId = await this.ensureNetwork(on);
    const existing = await this.services();
    for (const s of services) {
      const current = existing.get(s.name);
      const replicas = opts.replicas?.[s.name] ?? current?.Spec?.Mode?.Replicated?.Replicas ?? 1;
      const spec = await this.serviceSpec(s, networkId, replicas);
      if (current) {
        const svc = this.docker.getService(current.ID);
        const now = await svc.inspect() as { Version: { Index: number } };
        await svc.update({ _query: { version: now.Version.Index }, _body: spec });
        on({ step: 'create', service: s.name, state: 'done', message: `updated service ${this.serviceName(s.name)} (${replicas} replicas)` });
      } else {
        await this.docker.createService(spec);
        on({ step: 'create', service: s.name, state: 'done', message: `created service ${this.serviceName(s.name)} (${replicas} replicas)` });
      }
    }
    await this.ensureGateway(networkId, on);
    for (const s of services) await this.waitConverged(s, on);
    return { skipped };
  }

  /** The container publishing the services on 127.0.0.1 at the compose file's ports, forwarding into the overlay network. */
  private async ensureGateway(networkId: string, on: OnEvent): Promise<void> {
    const routes = this.spec.services.flatMap((s) => s.ports.map((p) => ({ port: p.hostPort, to: `${s.name}:${p.containerPort}` })));
    const want = routes.map((r) => `${r.port}=${r.to}`).join(',');
    const found = await this.docker.getContainer(this.gatewayName).inspect().catch(() => undefined);
    if (found && found.State.Running && found.Config.Env.includes(`ROUTES=${want}`)) return;
    if (found) await this.docker.getContainer(this.gatewayName).remove({ force: true });
    // The API's image has Node (and nothing else needed): the gateway is a few lines of it.
    const api = this.spec.services.find((s) => s.name.startsWith('api')) ?? this.spec.services[0]!;
    const c = await this.docker.createContainer({
      name: this.gatewayName,
      Image: api.image,
      Entrypoint: ['/usr/local/bin/node', '-e', GATEWAY_JS],
      Cmd: [],
      Env: [`ROUTES=${want}`],
      Labels: this.labels({ [SERVICE_LABEL]: 'gateway' }),
      ExposedPorts: Object.fromEntries(routes.map((r) => [`${r.port}/tcp`, {}])),
      HostConfig: {
        PortBindings: Object.fromEntries(routes.map((r) => [`${r.port}/tcp`, [{ HostIp: '127.0.0.1', HostPort: String(r.port) }]])),
        RestartPolicy: { Name: 'unless-stopped' },
      },
      NetworkingConfig: { EndpointsConfig: { [this.networkName]: { NetworkID: networkId } } },
    });
    await c.start();
    on({ step: 'start', state: 'done', message: `gateway publishes ${routes.map((r) => `127.0.0.1:${r.port} → ${r.to}`).join(', ')}` });
  }

  /** Waits until every desired replica of `s` runs and the service answers through the gateway. */
  async waitConverged(s: ServiceSpec, on: OnEvent = () => undefined): Promise<void> {
    on({ step: 'ready', service: s.name, state: 'started', message: `waiting for ${s.name}'s replicas` });
    const deadline = Date.now() + (this.opts.readyTimeoutMs ?? 120_000);
    for (;;) {
      const st = (await this.status({ ours: true })).find((x) => x.service === s.name); // our own deploy: the gateway's ports are ours
      if (st && st.replicas.running === st.replicas.desired && st.ready) {
        on({ step: 'ready', service: s.name, state: 'done', message: `${s.name}: ${st.replicas.running}/${st.replicas.desired} replicas running, ready` });
        return;
      }
      const failed = st?.tasks.find((t) => t.error)?.error;
      const last = st ? `${st.replicas.running}/${st.replicas.desired} running${failed ? `; last error: ${failed}` : ''}` : 'no service';
      if (Date.now() > deadline) {
        on({ step: 'ready', service: s.name, state: 'failed', message: `${s.name} did not converge: ${last}` });
        throw new SwarmError(`${s.name} did not converge within ${Math.round((this.opts.readyTimeoutMs ?? 120_000) / 1000)} s: ${last}`);
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  /** Each service's replicas (running/desired) and its tasks, newest first. */
  status(opts: { ours?: boolean } = {}): Promise<SwarmServiceStatus[]> {
    return readStatus(this, opts.ours === true);
  }

  /** Sets a replicated service's replica count and waits until they run. */
  async scale(name: string, replicas: number, on: OnEvent = () => undefined): Promise<void> {
    if (!Number.isInteger(replicas) || replicas < 0 || replicas > 64) throw new SwarmError(`replicas must be a whole number from 0 to 64, not ${replicas}`);
    const s = this.local.service(name);
    const current = (await this.services()).get(name);
    if (!current) throw new SwarmError(`${name} is not deployed on Swarm; \`obsdeck up --swarm\` first`);
    const svc = this.docker.getService(current.ID);
    const now = await svc.inspect() as { Version: { Index: number }; Spec: { Mode: { Replicated?: { Replicas: number } } } };
    if (!now.Spec.Mode.Replicated) throw new SwarmError(`${name} is not a replicated service`);
    await svc.update({ _query: { version: now.Version.Index }, _body: { ...now.Spec, Mode: { Replicated: { Replicas: replicas } } } });
    on({ step: 'create', service: name, state: 'done', message: `scaled ${name} to ${replicas}` });
    if (replicas > 0) await this.waitConverged(s, on);
  }

  /**
   * Puts new config files into a service (host path → content, as the Config view's Apply
   * gives them): new versioned configs, the service updated to them, then converged; when it
   * does not converge the service goes back to its previous spec, and the error says why.
   */
  async applyFiles(name: string, replace: Record<string, Buffer>, on: OnEvent = () => undefined): Promise<void> {
    const s = this.local.service(name);
    const current = (await this.services()).get(name);
    if (!current) throw new SwarmError(`${name} is not deployed on Swarm`);
    const svc = this.docker.getService(current.ID);
    const before = await svc.inspect() as { Version: { Index: number }; Spec: { TaskTemplate: Record<string, unknown> & { ContainerSpec: Record<string, unknown>; ForceUpdate?: number } } };
    const { Configs, Secrets } = await this.filesFor(s, replace);
    const next = { ...before.Spec, TaskTemplate: { ...before.Spec.TaskTemplate, ContainerSpec: { ...before.Spec.TaskTemplate.ContainerSpec, Configs, Secrets } } };
    await svc.update({ _query: { version: before.Version.Index }, _body: next });
    on({ step: 'create', service: name, state: 'done', message: `${name} updated to the new configs` });
    try {
      await this.waitConverged(s, on);
    } catch (err) {
      const now = await svc.inspect() as { Version: { Index: number } };
      await svc.update({ _query: { version: now.Version.Index }, _body: before.Spec });
      await this.waitConverged(s, on).catch(() => undefined);
      throw new SwarmError(`${name} did not run with the new configs, so it went back to the previous ones: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /**
   * The services' log sources, one per task (through the Engine API's task logs, which reach a
   * task on any node), each line carrying its service and its task's name (api_poc3.2). A
   * follow reads the running tasks; a tail also the stopped ones Swarm still lists.
   */
  logSources(): LogSources {
    return async (opts) => {
      const st = (await this.status()).filter((s) => !opts.services?.length || opts.services.includes(s.service));
      const tasks = st.flatMap((s) => s.tasks.filter((t) => t.containerId && (!(opts.follow || opts.running) || (t.desiredState === 'running' && (!opts.running || t.state === 'running')))).map((t) => ({ s, t })));
      const sources = tasks.map(({ s, t }) => retag(
        containerBatches(this.docker.getTask(t.id) as unknown as Docker.Container, s.service, { follow: opts.follow, tail: opts.tail, since: opts.since, signal: opts.signal }), t.name));
      return { services: st.map((s) => s.service), sources, keys: tasks.map(({ t }) => t.id) };
    };
  }

  /** The services' logs merged across their tasks (the CLI's `obsdeck logs` on Swarm). */
  async logs(names: string[] = [], opts: LogOptions & { signal?: AbortSignal } = {}): Promise<AsyncGenerator<LogLine[]>> {
    const { sources } = await this.logSources()({ services: names, follow: opts.follow === true, tail: opts.tail, since: typeof opts.since === 'string' ? opts.since : undefined, signal: opts.signal });
    return mergeBatches(sources);
  }

  /**
   * Removes the project's services, the gateway, then its configs, secrets and network (Swarm
   * frees them once the tasks are gone); the volumes stay unless `volumes`.
   */
  async down(on: OnEvent = () => undefined, opts: { volumes?: boolean } = {}): Promise<void> {
    const filter = { label: [`${SWARM_LABEL}=${this.project}`] };
    await this.docker.getContainer(this.gatewayName).remove({ force: true }).catch(() => undefined);
    for (const [name, svc] of await this.services()) {
      await this.docker.getService(svc.ID).remove();
      on({ step: 'remove', service: name, state: 'done', message: `removed service ${this.serviceName(name)}` });
    }
    // Tasks' containers go a moment after their service; configs and networks in use cannot.
    const deadline = Date.now() + 60_000;
    while ((await this.docker.listContainers({ all: true, filters: { label: [`com.docker.stack.namespace=${this.project}`] } })).length && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
    }
    for (const c of await this.docker.listConfigs({ filters: filter })) await this.docker.getConfig((c as { ID: string }).ID).remove();
    for (const c of await this.docker.listSecrets({ filters: filter })) await this.docker.getSecret((c as { ID: string }).ID).remove();
    for (let i = 0; i < 20; i++) {
      const nets = await this.docker.listNetworks({ filters: filter });
      if (!nets.length) break;
      for (const n of nets) await this.docker.getNetwork(n.Id).remove().catch(() => undefined);
      await new Promise((r) => setTimeout(r, 500));
    }
    on({ step: 'remove', state: 'done', message: `removed the project's configs, secrets and network${opts.volumes ? '' : '; its volumes are kept'}` });
    if (opts.volumes) {
      for (const v of (await this.docker.listVolumes({ filters: filter })).Volumes ?? []) {
        await this.docker.getVolume(v.Name).remove();
        on({ step: 'volume', state: 'done', message: `deleted volume ${v.Name}` });
      }
    }
  }
}
