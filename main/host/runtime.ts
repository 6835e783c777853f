// What the host holds while the app runs: the engine it found (and keeps looking for while none
// answers), the stack opened on the compose file and its live status watcher, the one lock for
// changes, the webhook receiver, the traffic runs, and the broadcast of events to every session.
// Handlers ask it for these; domain modules never see it.
import type Docker from 'dockerode';
import { AlertReceiver, DEFAULT_WEBHOOK_PORT, webhookHost } from '../alerts/receiver.js';
import { HistoryKeeper } from '../alerts/history.js';
import { configText, driftFromConfigDir } from '../config/change.js';
import { ConfigHistory, dataDir } from '../config/store.js';
import type { EngineStatus, EventName, Events, StackSnapshot } from '../contract.js';
import { discoverEngine } from '../engine/discover.js';
import { parseSsh, PortForwards, sshConfig } from '../engine/ssh.js';
import { importBundled } from '../images/images.js';
import { AlertmanagerClient, type AmAlert, PrometheusClient } from '../prom/client.js';
import { serviceBase } from '../stack/compose.js';
import { loadSpec, type StackLocation } from '../config/project.js';
import { basicAuth } from '../config/stack-auth.js';
import { Stack, type Skipped } from '../stack/stack.js';
import { useStandIns } from '../stack/stand-ins.js';
import { StatusWatcher } from '../stack/watch.js';
import { VITALS_METRICS_PATH, VitalsKeeper } from '../stack/vitals.js';
import { serviceStatuses } from '../swarm/status.js';
import { SwarmStack, type SwarmServiceStatus } from '../swarm/swarm.js';
import { targetFor, type Target } from '../target/target.js';
import { TrafficRuns } from '../traffic/runs.js';
import { verifyAlertPath, watchHeartbeat } from './alert-path.js';
import { forwardRefusal, PortHolds, reachThroughForward } from './ports-held.js';
import { fail } from './errors.js';
import { describeHolder, FileLock, thisProcess, type LockOwner } from './file-lock.js';
import { StackLock, tookOverMessage, watchOtherHolder, type MachineLock, type Work } from './lock.js';
import type { Emit } from './session.js';

export interface RuntimeOptions extends StackLocation {
  /** The services Start brings up when none are named (OBSDECK_SERVICES), e.g. without Grafana. */
  defaultServices?: string[];
  /** How often to look for an engine while none answers. */
  discoverEveryMs?: number;
  /**
   * Host the Alertmanager webhook receiver (default: on). Its port is OBSDECK_WEBHOOK_PORT or
   * 5001, the one observability/alertmanager.yml sends to.
   */
  webhook?: boolean;
  /** The installer's bundled image tarball (OBSDECK_BUNDLED_IMAGES): imported on first start when its images are missing. */
  bundledImages?: string;
}

type Reachable = Extract<EngineStatus, { reachable: true }>;

/** Alertmanager's active alerts that go to the app's receiver. */
const ours = (am: AmAlert[]) => am.filter((a) => a.status.state === 'active' && a.receivers.some((r) => r.name === 'obsdeck'));

const WORKS = new Set<string>(['up', 'down', 'restart', 'stop', 'apply', 'images', 'scale']);

export class Runtime {
  private engine: EngineStatus = { reachable: false, tried: [], hint: 'Looking for a Docker engine…' };
  private docker?: Docker;
  private reachable?: Reachable;
  private opened?: Stack;
  private watcher?: StatusWatcher;
  /** The compose model, its text (what the compose file's diff compares to) and the config directory. */
  private loadedSpec?: ReturnType<typeof loadSpec>;
  private readonly listeners = new Set<Emit>();
  private readonly engineBack = new Set<() => void>();
  private readonly unavailable = new Map<string, { why: string; details: string }>();
  private discoverTimer?: NodeJS.Timeout;
  private closed = false;
  private bundleChecked = false;
  private swarmStack?: SwarmStack;
  /** On Swarm: the services' replicas and tasks, polled while deployed (tasks change without container events on other nodes). */
  private swarmStatus?: SwarmServiceStatus[];
  private swarmRole?: 'manager' | 'worker' | 'inactive';
  private swarmTimer?: NodeJS.Timeout;
  /** A remote engine over SSH: the stack's published ports forwarded to this machine. */
  private forwards?: PortForwards;
  /** Why a port could not be forwarded, by the remote port (said when a Start is refused). */
  private readonly forwardErrors = new Map<number, string>();
  private alertPoll?: NodeJS.Timeout;
  readonly lock = new StackLock(() => this.emit('stack:snapshot', this.snapshot()), () => this.machineLock(), (owner) => this.tookOverLock(owner));
  /** The open stack's lock file, and another process holding it now (watched every second). */
  private lockFile?: FileLock;
  private otherHolder?: LockOwner;
  private lockWatch?: NodeJS.Timeout;
  private heartbeatTimer?: NodeJS.Timeout;
  /** Alertmanager's webhook, hosted here: its notices go to every session as `alerts:notice`. */
  readonly receiver = new AlertReceiver();
  /** Which services' ports get the stack's credentials now (ports-held.ts). */
  readonly ports = new PortHolds({
    specs: () => this.maybeStack()?.spec.services ?? [],
    statuses: () => this.snapshot().services,
    forwarded: () => this.forwards?.ports,
  });
  /** Every alert the app learns of, in SQLite in the data directory (alerts/history.ts). */
  readonly alertHistory = new HistoryKeeper({
    dataDir: () => this.dataDir(),
    prometheusYml: () => configText(this.loaded().configDir, 'prometheus.yml'),
    runningPrometheus: () => (this.snapshot().services.find((s) => s.service === 'prometheus')?.state === 'running' ? this.prometheus() : undefined),
  });
  readonly traffic = new TrafficRuns((run) => this.emit('traffic:run', run), () => this.ports.holds('api_poc3'));
  /** Each running service's CPU, memory and I/O every 5 s (OBSDECK_VITALS_MS; 0 turns it off). */
  readonly vitals: VitalsKeeper;

  constructor(readonly opts: RuntimeOptions = {}) {
    this.vitals = new VitalsKeeper({
      docker: () => this.maybeStack()?.docker,
      // Plain containers: the snapshot the events keep (no request to the engine); Swarm: each task here.
      running: async () => {
        if (!this.maybeStack()) return new Map<string, string>();
        const target = this.target();
        if (target.kind === 'swarm') return target.vitalsSources();
        return new Map(this.snapshot().services.filter((s) => s.state === 'running' && s.containerId).map((s) => [s.service, s.containerId!]));
      },
      sampled: (points) => this.emit('vitals:sample', points),
      local: () => this.reachable?.endpoint.startsWith('unix://') === true,
    }, Number(this.env.OBSDECK_VITALS_MS ?? 5000));
    this.receiver.on('notice', (n) => {
      this.emit('alerts:notice', n);
      this.alertHistory.notice(n);
    });
    this.receiver.on('error', () => undefined); // kept in its state and shown by the Alerts view
  }

  get env(): NodeJS.ProcessEnv {
    return this.opts.env ?? process.env;
  }

  /** Reads the compose file and the secrets first: a damaged secrets file stops the app here, with its message. */
  async start(): Promise<void> {
    this.loaded();
    await this.discover();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.discoverTimer);
    clearTimeout(this.swarmTimer);
    clearInterval(this.alertPoll);
    clearInterval(this.lockWatch);
    clearInterval(this.heartbeatTimer);
    this.alertHistory.close();
    this.forwards?.close();
    this.watcher?.stop();
    this.vitals.stop();
    void this.receiver.close();
    this.traffic.stop();
  }

  /** Every event to `listener` (a session); returns the unsubscribe. */
  subscribe(listener: Emit): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** `listener` runs each time the engine answers again after it went away; returns the unsubscribe. */
  onEngineBack(listener: () => void): () => void {
    this.engineBack.add(listener);
    return () => this.engineBack.delete(listener);
  }

  /** How many sessions receive the broadcasts (for tests and diagnostics). */
  get subscribers(): number {
    return this.listeners.size;
  }

  emit<E extends EventName>(event: E, payload: Events[E]): void {
    for (const l of this.listeners) l(event, payload);
  }

  engineStatus(): EngineStatus {
    return this.engine;
  }

  /** After a Start: the services it tried are no longer marked, the ones it skipped are, with why. */
  markUnavailable(tried: string[], skipped: Skipped[]): void {
    for (const name of tried) this.unavailable.delete(name);
    for (const k of skipped) this.unavailable.set(k.service, { why: k.why, details: k.details });
    this.emit('stack:snapshot', this.snapshot());
  }

  snapshot(): StackSnapshot {
    const other = this.otherHolder;
    const busy = this.lock.busy ?? (other && WORKS.has(other.work) ? (other.work as Work) : undefined);
    const role = { ...(this.swarmRole ? { swarm: this.swarmRole } : {}), ...(other ? { busyBy: `${describeHolder(other)} is running ${other.work}` } : {}) };
    if (this.swarmStatus) {
      const services = serviceStatuses(this.maybeStack()?.spec.services ?? [], this.specServices(), this.swarmStatus);
      return { engine: this.engine, services, target: 'swarm', ...role, ...(busy ? { busy } : {}) };
    }
    const watched = this.watcher?.snapshot() ?? this.specServices().map((name) => ({ service: name, state: 'unknown', ready: false, restartCount: 0, ports: [], image: '' }));
    const services = watched.map((s) => {
      const why = s.state !== 'running' ? this.unavailable.get(s.service) : undefined;
      return why ? { ...s, unavailable: why } : s;
    });
    return { engine: this.engine, services, target: 'containers', ...role, ...(busy ? { busy } : {}) };
  }

  /** The stack as Swarm services on this engine (whether or not deployed). */
  swarm(): SwarmStack {
    const stack = this.stack();
    if (this.swarmStack?.spec !== stack.spec) this.swarmStack = new SwarmStack(stack.docker, stack.spec, { remote: this.forwards !== undefined });
    return this.swarmStack;
  }

  /** The target the stack runs on now (Swarm when its services are deployed there, as last polled). */
  target(): Target {
    return targetFor(this.stack(), this.onSwarm ? this.swarm() : undefined);
  }

  /** The Swarm services' replicas and tasks as last polled (every 2 s while deployed). */
  get swarmServices(): SwarmServiceStatus[] {
    return this.swarmStatus ?? [];
  }

  /** Whether the stack runs on Swarm now (as last seen). */
  get onSwarm(): boolean {
    return this.swarmStatus !== undefined;
  }

  /**
   * Looks again at the engine's swarm role and the project's Swarm services; while any are
   * deployed, keeps polling their tasks (every 2 s) and broadcasts each change.
   */
  async refreshSwarm(): Promise<void> {
    clearTimeout(this.swarmTimer);
    const stack = this.maybeStack();
    if (!stack || this.closed) return;
    const swarm = this.swarm();
    const before = JSON.stringify([this.swarmRole, this.swarmStatus]);
    try {
      this.swarmRole = await swarm.role();
      this.swarmStatus = this.swarmRole === 'manager' && (await swarm.deployed()) ? await swarm.status() : undefined;
    } catch {
      // The engine is away: the watcher says so; look again when it is back.
    }
    if (JSON.stringify([this.swarmRole, this.swarmStatus]) !== before) {
      this.ports.sync();
      this.emit('stack:snapshot', this.snapshot());
    }
    if (this.swarmStatus) {
      this.swarmTimer = setTimeout(() => void this.refreshSwarm(), 2000);
      this.swarmTimer.unref();
    }
  }

  /** The compose model and config directory, read once (snapshot() runs on every event). */
  loaded(): ReturnType<typeof loadSpec> {
    this.loadedSpec ??= loadSpec(this.opts);
    return this.loadedSpec;
  }

  /** The open stack, or a contract error saying there is no engine. */
  stack(): Stack {
    if (!this.opened) {
      const hint = this.engine.reachable ? '' : ` ${this.engine.hint}`;
      fail('ENGINE_UNREACHABLE', `no Docker engine is reachable.${hint}`);
    }
    return this.opened;
  }

  /** The open stack when there is an engine. */
  maybeStack(): Stack | undefined {
    return this.opened;
  }

  dataDir(): string {
    return this.opts.data ?? dataDir(this.env);
  }

  history(): ConfigHistory {
    return new ConfigHistory(this.dataDir());
  }

  /** Where a service is reached from this machine (the snapshot's `url` comes from the same function). */
  published(service: string): string {
    const base = serviceBase(this.stack().service(service));
    if (!base) fail(service === 'prometheus' ? 'PROMETHEUS_UNREACHABLE' : 'ALERTMANAGER_UNREACHABLE', `the stack publishes no ${service} port`);
    return base;
  }

  prometheus(): PrometheusClient {
    return new PrometheusClient(this.published('prometheus'));
  }

  alertmanager(): AlertmanagerClient {
    return new AlertmanagerClient(this.published('alertmanager'));
  }

  /** Reopens the stack on the compose file as it is now (after a compose change); undefined without an engine. */
  async reopen(): Promise<Stack | undefined> {
    this.loadedSpec = undefined;
    if (!this.docker || !this.reachable) return undefined;
    await this.open(this.docker, this.reachable);
    return this.opened;
  }

  private specServices(): string[] {
    try {
      return this.loaded().spec.services.map((s) => s.name);
    } catch {
      return [];
    }
  }

  /** The lock file every Obsdeck process takes to change this stack on this engine. */
  private machineLock(): MachineLock | undefined {
    if (!this.opened || !this.reachable) return undefined;
    const file = FileLock.for(this.dataDir(), this.reachable.endpoint.split(' ')[0]!, this.opened.spec.project);
    if (this.lockFile?.file !== file.file) this.lockFile = file;
    return { file: this.lockFile, command: thisProcess() };
  }

  /** Watches the lock file: while another process holds it, every session sees who and what. */
  private watchLock(): void {
    clearInterval(this.lockWatch);
    this.lockWatch = watchOtherHolder(() => this.machineLock(), (other) => {
      this.otherHolder = other;
      this.emit('stack:snapshot', this.snapshot());
    });
  }

  /** A lock left by a process that is gone: say so, and what its cut-short change left running. */
  private async tookOverLock(owner: LockOwner): Promise<void> {
    const drift = this.opened ? await driftFromConfigDir(this.target().config(), this.loaded().configDir).catch(() => []) : [];
    const message = tookOverMessage(owner, drift);
    console.warn(`[obsdeck] ${message}`);
    this.emit('stack:progress', { step: 'preflight', state: drift.length ? 'failed' : 'done', message });
  }

  /**
   * After a change the stack made itself: the holds follow what now runs, and every service is
   * inspected and probed again with them, so the snapshot says ready where it is (a probe made
   * before the hold came back had no credentials).
   */
  async settle(): Promise<void> {
    this.ports.sync();
    await this.watcher?.refreshAll().catch(() => undefined); // its change event syncs the holds again
  }

  /** With a remote engine: forwards every port again, then refuses a Start of `services` while one still cannot be forwarded here. */
  async ensureForwards(services: string[]): Promise<void> {
    if (!this.forwards || !this.opened) return;
    await this.forwardPorts();
    const refusal = forwardRefusal(this.opened.spec.services, services, this.forwards.ports, this.forwardErrors);
    if (refusal) fail('PORT_IN_USE', refusal);
  }

  /** Opens the stack (again) with a fresh status watcher. */
  private async open(docker: Docker, status: Reachable): Promise<void> {
    this.watcher?.stop();
    this.loadedSpec = undefined;
    await this.importBundled(docker);
    const { spec } = this.loaded();
    await useStandIns(docker, spec).catch(() => []);
    this.opened = new Stack(docker, spec, { remote: this.forwards !== undefined });
    await this.forwardPorts();
    this.watcher = new StatusWatcher(this.opened);
    this.watcher.on('change', () => {
      this.ports.sync();
      this.emit('stack:snapshot', this.snapshot());
    });
    // A container that dies gives up its port at once: no credentials go there from now on.
    this.watcher.on('down', (service) => this.ports.release([service])); // its port may be free already
    this.watcher.on('engine', (e) => {
      const wasGone = !this.engine.reachable;
      this.engine = e.connected
        ? status
        : { reachable: false, tried: [{ endpoint: status.endpoint, error: e.error ?? 'the engine went away' }], hint: 'The Docker engine stopped answering; Obsdeck reconnects as soon as it is back.' };
      this.emit('stack:snapshot', this.snapshot());
      if (e.connected && wasGone) {
        for (const l of this.engineBack) l();
        void this.refreshSwarm();
      }
    });
    await this.watcher.start();
    this.watchLock();
    this.alertHistory.keepUp();
    this.vitals.start();
    await this.refreshSwarm();
  }

  /** Once per run: the installer's bundled images, loaded when any of them is not on the engine. */
  private async importBundled(docker: Docker): Promise<void> {
    const tarball = this.opts.bundledImages ?? this.env.OBSDECK_BUNDLED_IMAGES;
    if (this.bundleChecked || !tarball) return;
    this.bundleChecked = true;
    try {
      const loaded = await importBundled(docker, tarball, this.dataDir());
      if (loaded.length) this.emit('stack:progress', { step: 'image', state: 'done', message: `imported the bundled images: ${loaded.join(', ')}` });
    } catch (err) {
      const message = `the bundled images in ${tarball} could not be imported: ${err instanceof Error ? err.message : String(err)}`;
      console.warn(`[obsdeck] ${message}`);
      this.emit('stack:progress', { step: 'image', state: 'failed', message });
    }
  }

  private async discover(): Promise<void> {
    if (this.closed) return;
    const { status, docker } = await discoverEngine(this.env);
    this.engine = status;
    if (status.reachable && docker) {
      this.docker = docker;
      this.reachable = status;
      if (status.endpoint.startsWith('ssh://') && !this.forwards) {
        const endpoint = status.endpoint.split(' ')[0]!;
        this.forwards = new PortForwards(sshConfig(parseSsh(endpoint, this.env), this.env));
      }
      await this.open(docker, status);
      if (this.opts.webhook !== false) await this.listenForAlerts(docker, status);
    } else {
      this.emit('stack:snapshot', this.snapshot());
      this.discoverTimer = setTimeout(() => void this.discover(), this.opts.discoverEveryMs ?? 3000);
    }
  }

  /** With a remote engine: each port the stack publishes, forwarded to the same port here when it is free, else to one the system picks. */
  private async forwardPorts(): Promise<void> {
    if (!this.forwards || !this.opened) return;
    const authorization = basicAuth(this.loaded().auth);
    for (const s of this.opened.spec.services) {
      for (const p of s.ports) {
        try {
          const moved = reachThroughForward(s, p, await this.forwards.forward(p.hostPort), authorization);
          this.forwardErrors.delete(p.hostPort);
          if (moved) this.emit('stack:progress', { step: 'preflight', service: s.name, state: 'done', message: moved });
        } catch (err) {
          const why = err instanceof Error ? err.message : String(err);
          this.forwardErrors.set(p.hostPort, why);
          this.emit('stack:progress', { step: 'preflight', service: s.name, state: 'failed', message: `${s.name}'s port ${p.hostPort} on the remote engine cannot be forwarded here: ${why}` });
        }
      }
    }
  }

  private async listenForAlerts(docker: Docker, status: Reachable): Promise<void> {
    // A remote engine's Alertmanager cannot reach a webhook on this machine: ask it instead.
    if (this.forwards || this.env.OBSDECK_ALERTS === 'poll') return this.pollAlerts();
    this.receiver.requireToken(this.loaded().auth.webhookToken);
    // The same server serves the vitals to the stack's Prometheus (job obsdeck-vitals).
    this.receiver.exposeMetrics(VITALS_METRICS_PATH, this.loaded().auth.vitalsToken, () => this.vitals.metrics());
    const port = Number(this.env.OBSDECK_WEBHOOK_PORT ?? DEFAULT_WEBHOOK_PORT);
    const state = await this.receiver.listen(await webhookHost(docker, process.platform, status.endpoint), Number.isInteger(port) ? port : DEFAULT_WEBHOOK_PORT);
    this.heartbeatTimer ??= watchHeartbeat(this);
    if (state.listening) {
      // A stack already running: check (and correct) where its Alertmanager's notifications land.
      await verifyAlertPath(this).catch(() => undefined);
      // Alerts that began while the app was not listening count from the start (no notification).
      const am = await Promise.resolve().then(() => this.alertmanager().alerts()).catch(() => []);
      this.receiver.seed(ours(am));
    }
  }

  /**
   * Alerts by asking Alertmanager every 10 s rather than by its webhook: for a remote engine,
   * or where the app cannot listen where the engine sends host.docker.internal.
   */
  async pollAlerts(): Promise<void> {
    if (this.alertPoll) return;
    await this.receiver.close();
    this.receiver.pollingEveryS = 10;
    const first = await Promise.resolve().then(() => this.alertmanager().alerts()).catch(() => []);
    this.receiver.seed(ours(first));
    this.alertPoll = setInterval(() => {
      void Promise.resolve().then(() => this.alertmanager().alerts()).then((am) => this.receiver.reconcile(ours(am)), () => undefined);
    }, 10_000);
    this.alertPoll.unref();
  }
}
