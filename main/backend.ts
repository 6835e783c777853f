// The Node side of the contract: one object that answers every request of main/contract.ts and
// pushes its events, whatever carries them (Electron IPC or `obsdeck serve`'s WebSocket). It
// finds the engine (and keeps looking while there is none), opens the stack, keeps a live
// status from Docker events, and turns failures into contract errors with stable codes.
import type Docker from 'dockerode';
import { ZodError } from 'zod';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApplyRefused, ApplyRolledBack, applyConfigs, filesIn } from './config/apply.js';
import { ConfigHistory, dataDir, diffLines } from './config/store.js';
import { validateConfigs } from './config/validate.js';
import {
  CONFIG_FILE_NAMES, requestSchemas, type AlertsSnapshot, type Channel, type ConfigFileName, type ConfigProblem, type ConfigState, type RangeResult, type ContractError, type EngineStatus, type EventName, type Events, type LogLine, type Replies, type RequestArgs, type StackSnapshot, type TargetInfo, type TrafficRun, type TrafficScenario, type TrafficState,
} from './contract.js';
import { AlertReceiver, DEFAULT_WEBHOOK_PORT, webhookHost } from './alerts/receiver.js';
import { discoverEngine } from './engine/discover.js';
import { AlertmanagerClient, PrometheusClient, networkReason, type Alert, type AmAlert, type Silence } from './prom/client.js';
import { fetchWithin } from './prom/fetch.js';
import { serviceBase } from './stack/compose.js';
import { COMPOSE_NAME, composeSource, loadSpec, type StackLocation } from './stack/load.js';
import { composeProblems } from './config/compose-check.js';
import { containerLines } from './stack/logs.js';
import { PreflightError, ServiceFailed, Stack } from './stack/stack.js';
import { StatusWatcher } from './stack/watch.js';
import { LIMITS, runTraffic, SCENARIOS, stackApi } from './traffic.js';

export class ContractFailure extends Error {
  constructor(readonly error: ContractError) {
    super(error.message);
  }
}

/** Any failure as the data that crosses the contract. */
export function toContractError(err: unknown): ContractError {
  if (err instanceof ContractFailure) return err.error;
  if (err instanceof ZodError) {
    return { code: 'BAD_REQUEST', message: err.issues.map((i) => `${i.path.join('.') || 'arguments'}: ${i.message}`).join('; ') };
  }
  if (err instanceof PreflightError) {
    const code = err.problems.every((p) => p.startsWith('port ')) ? 'PORT_IN_USE'
      : err.problems.every((p) => p.startsWith('image ')) ? 'IMAGE_MISSING'
        : err.problems.some((p) => p.startsWith('no Docker engine')) ? 'ENGINE_UNREACHABLE' : 'PREFLIGHT_FAILED';
    return { code, message: err.problems.join('; '), details: err.problems };
  }
  if (err instanceof ServiceFailed) return { code: 'SERVICE_FAILED', message: `${err.service} ${err.why}`, details: err.logs };
  if (err instanceof ApplyRefused) return { code: 'CONFIG_INVALID', message: err.message.split('\n')[0]!, details: err.message.split('\n').slice(1).map((l) => l.trim()) };
  if (err instanceof ApplyRolledBack) return { code: 'APPLY_ROLLED_BACK', message: err.message };
  return { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) };
}

/** The compose service of a scrape target's instance ("api_poc3:8083"; Prometheus scrapes itself as localhost). */
function serviceOfInstance(instance: string): string {
  const host = instance.split(':')[0] ?? '';
  return host === 'localhost' ? 'prometheus' : host;
}

export interface BackendOptions extends StackLocation {
  /** The services Start brings up when none are named (OBSDECK_SERVICES), e.g. without Grafana. */
  defaultServices?: string[];
  /** How often to look for an engine while none answers. */
  discoverEveryMs?: number;
  /**
   * Host the Alertmanager webhook receiver (default: on). Its port is OBSDECK_WEBHOOK_PORT or
   * 5001, the one observability/alertmanager.yml sends to.
   */
  webhook?: boolean;
}

type Listener = <E extends EventName>(event: E, payload: Events[E]) => void;

/** One client of the contract (a browser tab over WebSocket, an Electron window): what it follows. */
export interface Session {
  emit: Listener;
  /** Stops whatever the session follows (set by the backend). */
  stopFollowing?: () => void;
}

/** Log lines are sent in batches, at most this often, so a chatty container costs few messages. */
const LOG_BATCH_MS = 100;
/** A session that does not keep up loses the oldest unsent lines beyond this, and is told how many. */
const LOG_BACKLOG = 20_000;

export class Backend {
  private engine: EngineStatus = { reachable: false, tried: [], hint: 'Looking for a Docker engine…' };
  private docker?: Docker;
  private stack?: Stack;
  private watcher?: StatusWatcher;
  private busy?: StackSnapshot['busy'];
  /** The compose model, its text (what the compose file's diff compares to) and the config directory. */
  private loadedSpec?: ReturnType<typeof loadSpec>;
  private reachable?: Extract<EngineStatus, { reachable: true }>;
  private readonly listeners = new Set<Listener>();
  private discoverTimer?: NodeJS.Timeout;
  private closed = false;
  /** Alertmanager's webhook, hosted here: its notices go to every client as `alerts:notice`. */
  readonly receiver = new AlertReceiver();
  /** Traffic runs by scenario: the one running now, or the last one's totals. */
  private readonly traffic = new Map<TrafficScenario, { run: TrafficRun; stop: AbortController }>();

  constructor(private readonly opts: BackendOptions = {}) {
    this.receiver.on('notice', (n) => this.emit('alerts:notice', n));
    this.receiver.on('error', () => undefined); // kept in its state and shown by the Alerts view
  }

  async start(): Promise<void> {
    await this.discover();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.discoverTimer);
    this.watcher?.stop();
    void this.receiver.close();
    for (const t of this.traffic.values()) t.stop.abort();
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit<E extends EventName>(event: E, payload: Events[E]): void {
    for (const l of this.listeners) l(event, payload);
  }

  snapshot(): StackSnapshot {
    const services = this.watcher?.snapshot() ?? this.specServices().map((name) => ({ service: name, state: 'unknown', ready: false, restartCount: 0, ports: [], image: '' }));
    return { engine: this.engine, services, ...(this.busy ? { busy: this.busy } : {}) };
  }

  /**
   * The compose model and config directory, read once: loadSpec reads the compose file and the
   * secrets and makes the config directory, which snapshot() (on every event) need not redo.
   */
  private loaded(): ReturnType<typeof loadSpec> {
    this.loadedSpec ??= loadSpec(this.opts);
    return this.loadedSpec;
  }

  /** Opens the stack (again) on the compose file as it is now, with a fresh status watcher. */
  private async openStack(docker: Docker, status: Extract<EngineStatus, { reachable: true }>): Promise<void> {
    this.watcher?.stop();
    this.loadedSpec = undefined;
    const { spec } = this.loaded();
    this.stack = new Stack(docker, spec);
    this.watcher = new StatusWatcher(this.stack);
    this.watcher.on('change', () => this.emit('stack:snapshot', this.snapshot()));
    this.watcher.on('engine', (e) => {
      this.engine = e.connected
        ? status
        : { reachable: false, tried: [{ endpoint: status.endpoint, error: e.error ?? 'the engine went away' }], hint: 'The Docker engine stopped answering; Obsdeck reconnects as soon as it is back.' };
      this.emit('stack:snapshot', this.snapshot());
    });
    await this.watcher.start();
  }

  private specServices(): string[] {
    try {
      return this.loaded().spec.services.map((s) => s.name);
    } catch {
      return [];
    }
  }

  private async discover(): Promise<void> {
    if (this.closed) return;
    const { status, docker } = await discoverEngine(this.opts.env ?? process.env);
    this.engine = status;
    if (status.reachable && docker) {
      this.docker = docker;
      this.reachable = status;
      await this.openStack(docker, status);
      if (this.opts.webhook !== false) {
        const env = this.opts.env ?? process.env;
        const port = Number(env.OBSDECK_WEBHOOK_PORT ?? DEFAULT_WEBHOOK_PORT);
        const state = await this.receiver.listen(await webhookHost(docker, process.platform, status.endpoint), Number.isInteger(port) ? port : DEFAULT_WEBHOOK_PORT);
        // Alerts that began while the app was not listening count from the start (no notification).
        if (state.listening) {
          const am = await Promise.resolve().then(() => this.alertmanager().alerts()).catch(() => []);
          this.receiver.seed(am.filter((a) => a.status.state === 'active' && a.receivers.some((r) => r.name === 'obsdeck')));
        }
      }
    } else {
      this.emit('stack:snapshot', this.snapshot());
      this.discoverTimer = setTimeout(() => void this.discover(), this.opts.discoverEveryMs ?? 3000);
    }
  }

  private need(): Stack {
    if (!this.stack) {
      const hint = this.engine.reachable ? '' : ` ${this.engine.hint}`;
      throw new ContractFailure({ code: 'ENGINE_UNREACHABLE', message: `no Docker engine is reachable.${hint}` });
    }
    return this.stack;
  }

  private async exclusive(kind: NonNullable<StackSnapshot['busy']>, work: () => Promise<void>): Promise<StackSnapshot> {
    if (this.busy) throw new ContractFailure({ code: 'BUSY', message: `the stack is busy with ${this.busy}; try again when it is done` });
    this.busy = kind;
    this.emit('stack:snapshot', this.snapshot());
    try {
      await work();
    } finally {
      this.busy = undefined;
      this.emit('stack:snapshot', this.snapshot());
    }
    return this.snapshot();
  }

  /** Validates the arguments, runs the request, and returns its reply (or throws a ContractFailure). */
  async handle(channel: string, rawArgs: unknown, session?: Session): Promise<unknown> {
    if (!(channel in requestSchemas)) throw new ContractFailure({ code: 'UNKNOWN_CHANNEL', message: `no channel "${channel.slice(0, 64)}"` });
    const c = channel as Channel;
    try {
      const args: unknown = requestSchemas[c].parse(rawArgs ?? {});
      if (c === 'logs:follow') return await this.follow(args as { services?: string[]; tail?: number; since?: string }, session);
      if (c === 'logs:stop') {
        session?.stopFollowing?.();
        return { following: [] };
      }
      return await this.dispatch(c, args);
    } catch (err) {
      throw new ContractFailure(toContractError(err));
    }
  }

  /** Follows logs into one session, in batches, with a bounded backlog; a new follow replaces the old. */
  private async follow(args: { services?: string[]; tail?: number; since?: string }, session?: Session): Promise<Replies['logs:follow']> {
    if (!session) throw new ContractFailure({ code: 'BAD_REQUEST', message: 'logs:follow needs a client session' });
    session.stopFollowing?.();
    const stack = this.need();
    const existing = await stack.containers();
    const names = (args.services?.length ? args.services : [...existing.keys()]).filter((n) => existing.has(n));
    const controller = new AbortController();
    let batch: LogLine[] = [];
    let timer: NodeJS.Timeout | undefined;
    const flush = () => {
      timer = undefined;
      if (!batch.length) return;
      const lines = batch;
      batch = [];
      session.emit('logs:lines', lines);
    };
    for (const name of names) {
      const lines = containerLines(stack.docker.getContainer(existing.get(name)!.Id), name, { follow: true, tail: args.tail ?? 500, since: args.since, signal: controller.signal });
      void (async () => {
        try {
          for await (const line of lines) {
            batch.push(line);
            if (batch.length > LOG_BACKLOG) batch.splice(0, batch.length - LOG_BACKLOG);
            timer ??= setTimeout(flush, LOG_BATCH_MS);
          }
        } catch { /* the container went away or the engine did: the status view says which */ }
      })();
    }
    session.stopFollowing = () => {
      controller.abort();
      clearTimeout(timer);
      session.stopFollowing = undefined;
    };
    return { following: names };
  }

  private async dispatch(channel: Channel, args: unknown): Promise<Replies[Channel]> {
    const progress = (e: Events['stack:progress']) => this.emit('stack:progress', e);
    switch (channel) {
      case 'engine:status':
        return this.engine;
      case 'stack:status':
        return this.snapshot();
      case 'stack:up': {
        const { services } = args as { services?: string[] };
        const stack = this.need();
        return this.exclusive('up', () => stack.up(services?.length ? services : (this.opts.defaultServices ?? []), progress, { wait: true }));
      }
      case 'stack:down': {
        const { volumes } = args as { volumes?: boolean };
        const stack = this.need();
        return this.exclusive('down', () => stack.down(progress, { volumes: volumes === true }));
      }
      case 'stack:stop': {
        const { services } = args as { services: string[] };
        const stack = this.need();
        return this.exclusive('stop', () => stack.stop(services, progress));
      }
      case 'stack:restart': {
        const { services } = args as { services: string[] };
        const stack = this.need();
        return this.exclusive('restart', () => stack.restart(services, progress));
      }
      case 'targets:list':
        return this.targets();
      case 'logs:tail': {
        const { services, tail } = args as { services?: string[]; tail?: number };
        return this.tail(services, tail ?? 200);
      }
      case 'alerts:list':
        return this.alerts();
      case 'alerts:notices':
        return this.receiver.state();
      case 'metrics:range': {
        const q = args as { exprs: string[]; start: number; end: number; step: number };
        const client = new PrometheusClient(this.published('prometheus'));
        // Each expression on its own: one bad query is reported on its chart, the others still draw.
        return Promise.all(q.exprs.map(async (expr): Promise<RangeResult> => {
          try {
            const d = await client.queryRange(expr, q.start, q.end, q.step);
            if (d.resultType !== 'matrix') return { expr, series: [], error: `not a range vector (${d.resultType})` };
            return { expr, series: d.result.map((r) => ({ labels: r.metric, points: r.values.map(([t, v]): [number, number] => [t, Number(v)]) })) };
          } catch (err) {
            return { expr, series: [], error: err instanceof Error ? err.message : String(err) };
          }
        }));
      }
      case 'silences:create': {
        const { matchers, minutes, comment } = args as { matchers: { name: string; value: string; isRegex: boolean }[]; minutes: number; comment: string };
        const id = await this.alertmanager().createSilence({ matchers, endsAt: new Date(Date.now() + minutes * 60_000).toISOString(), createdBy: 'obsdeck', comment })
          .catch((err: unknown) => this.amFailure(err));
        // Alertmanager decides what the silence covers; the notices of those alerts end here.
        this.endSilencedNotices(await this.alertmanager().alerts().catch(() => []));
        return { id };
      }
      case 'silences:expire': {
        const { id } = args as { id: string };
        await this.alertmanager().expireSilence(id).catch((err: unknown) => this.amFailure(err));
        return { id };
      }
      case 'traffic:status':
        return this.trafficState();
      case 'traffic:start':
        return this.startTraffic(args as RequestArgs<'traffic:start'>);
      case 'traffic:stop': {
        const { scenario } = args as RequestArgs<'traffic:stop'>;
        for (const [name, t] of this.traffic) if (!scenario || scenario === name) t.stop.abort();
        return this.trafficState();
      }
      case 'prom:read': {
        const { path: apiPath, params } = args as { path: string; params: Record<string, string | string[]> };
        return this.promRead(apiPath, params);
      }
      case 'config:get':
        return this.configState();
      case 'config:validate': {
        const { file, text } = args as { file: ConfigFileName; text: string };
        return file === COMPOSE_NAME ? composeProblems(text, this.opts) : this.validateDraft(file, text);
      }
      case 'config:apply': {
        const { file, text } = args as { file: ConfigFileName; text: string };
        if (file === COMPOSE_NAME) return this.applyCompose(text);
        const stack = this.need();
        const { configDir } = this.loaded();
        const target = path.join(configDir, file);
        const before = fs.readFileSync(target, 'utf8');
        fs.writeFileSync(target, text);
        try {
          const entry = await applyConfigs(stack, configDir, { prometheus: stack.service('prometheus').image, alertmanager: stack.service('alertmanager').image }, new ConfigHistory(this.dataDir()));
          return { id: entry.id, note: entry.note };
        } catch (err) {
          // Refused or rolled back: the file keeps the draft only if it was valid; an invalid one goes back.
          if (err instanceof ApplyRefused) fs.writeFileSync(target, before);
          throw err;
        }
      }
      case 'config:diff': {
        const { file, text } = args as { file: ConfigFileName; text: string };
        const running = file === COMPOSE_NAME ? this.loaded().text : (await this.runningFiles())[file];
        return diffLines(running ?? '', text);
      }
      case 'config:restore': {
        const { id } = args as { id: string };
        const { configDir } = this.loaded();
        new ConfigHistory(this.dataDir()).restore(id, configDir);
        return this.configState();
      }
      case 'logs:follow':
      case 'logs:stop':
        throw new ContractFailure({ code: 'BAD_REQUEST', message: `${channel} is handled per session` });
    }
  }

  private async targets(): Promise<TargetInfo[]> {
    const base = this.published('prometheus');
    try {
      const { activeTargets } = await new PrometheusClient(base).targets('active');
      return activeTargets.map((t) => ({
        pool: t.scrapePool, url: t.scrapeUrl, health: t.health, labels: t.labels, lastScrape: t.lastScrape, lastScrapeMs: t.lastScrapeDuration * 1000, lastError: t.lastError,
      }));
    } catch (err) {
      throw new ContractFailure({ code: 'PROMETHEUS_UNREACHABLE', message: err instanceof Error ? err.message : String(err) });
    }
  }

  private trafficState(): TrafficState {
    return {
      scenarios: Object.entries(SCENARIOS).map(([name, description]) => ({ name: name as TrafficScenario, description })),
      runs: [...this.traffic.values()].map((t) => t.run),
      limits: LIMITS,
    };
  }

  /** Starts a scenario in the background; its counts go to every client as `traffic:run`. */
  private startTraffic({ scenario, durationS = 60, rate = 5 }: RequestArgs<'traffic:start'>): TrafficState {
    if (this.traffic.get(scenario)?.run.running) throw new ContractFailure({ code: 'BUSY', message: `${scenario} traffic is already running; stop it first` });
    let target;
    try {
      target = stackApi(this.need().spec);
    } catch (err) {
      throw new ContractFailure({ code: 'BAD_REQUEST', message: err instanceof Error ? err.message : String(err) });
    }
    const stop = new AbortController();
    const run: TrafficRun = { scenario, running: true, sent: 0, byStatus: {}, elapsedS: 0, durationS, rate };
    this.traffic.set(scenario, { run, stop });
    let lastEmit = 0;
    const update = (patch: Partial<TrafficRun>, force = false) => {
      Object.assign(run, patch);
      if (!force && Date.now() - lastEmit < 1000) return;
      lastEmit = Date.now();
      this.emit('traffic:run', { ...run, byStatus: { ...run.byStatus } });
    };
    void runTraffic(scenario, { ...target, durationS, rate, signal: stop.signal, onProgress: (st) => update({ sent: st.sent, byStatus: st.byStatus, elapsedS: st.elapsedS }) })
      .then((st) => update({ running: false, sent: st.sent, byStatus: st.byStatus, elapsedS: st.elapsedS }, true))
      .catch((err: unknown) => update({ running: false, error: err instanceof Error ? err.message : String(err) }, true));
    this.emit('traffic:run', { ...run });
    return this.trafficState();
  }

  /**
   * One read-only Prometheus API call, passed through with Prometheus' own status and envelope
   * (the explorer shows its errors as they are); only a network failure becomes a contract error.
   */
  private async promRead(apiPath: string, params: Record<string, string | string[]>): Promise<Replies['prom:read']> {
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) for (const one of Array.isArray(v) ? v : [v]) query.append(k, one);
    const base = this.published('prometheus');
    let res: Response;
    try {
      // Prometheus takes a form body on the query, labels and series endpoints, which keeps a long
      // query out of the URL; the others are GET only.
      const form = /^(query|query_range|query_exemplars|labels|series|format_query|parse_query)$/.test(apiPath);
      res = await fetchWithin(form ? `${base}/api/v1/${apiPath}` : `${base}/api/v1/${apiPath}?${query.toString()}`, 30_000, form ? { method: 'POST', body: query } : {});
    } catch (err) {
      throw new ContractFailure({ code: 'PROMETHEUS_UNREACHABLE', message: `${base} ${networkReason(err, 30_000)}` });
    }
    const text = await res.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = { status: 'error', errorType: 'bad_response', error: `HTTP ${res.status}: ${text.slice(0, 200)}` };
    }
    return { status: res.status, body };
  }

  private dataDir(): string {
    return this.opts.data ?? dataDir(this.opts.env ?? process.env);
  }

  /** The config files as the running Prometheus and Alertmanager hold them (for the diff). */
  private async runningFiles(): Promise<Partial<Record<ConfigFileName, string>>> {
    const out: Partial<Record<ConfigFileName, string>> = {};
    if (!this.stack) return out;
    const existing = await this.stack.containers();
    for (const [service, files] of [['prometheus', ['prometheus.yml', 'prometheus_rules.yml']], ['alertmanager', ['alertmanager.yml']]] as const) {
      const info = existing.get(service);
      if (info?.State !== 'running') continue;
      const dir = service === 'prometheus' ? '/etc/prometheus' : '/etc/alertmanager';
      const got: Record<string, Buffer> = await filesIn(this.stack.docker.getContainer(info.Id), files.map((f) => `${dir}/${f}`)).catch(() => ({}));
      for (const f of files) {
        const b = got[`${dir}/${f}`];
        if (b) out[f] = b.toString('utf8');
      }
    }
    return out;
  }

  /**
   * Applies an edited compose file: checked first (refused with its problems, nothing changed),
   * saved as the user's copy, the stack reopened on it, and the running services brought up to
   * date (a changed definition replaces its container). If that fails, the previous file is put
   * back and its services brought back up, and the reply says so.
   */
  private async applyCompose(text: string): Promise<Replies['config:apply']> {
    const source = composeSource(this.opts);
    if (!source.editable) throw new ContractFailure({ code: 'BAD_REQUEST', message: `the stack runs ${source.file} (OBSDECK_COMPOSE_FILE); Obsdeck edits only its own copy of the shipped compose file` });
    const errors = composeProblems(text, this.opts).filter((p) => p.severity === 'error');
    if (errors.length) throw new ContractFailure({ code: 'CONFIG_INVALID', message: 'docker-compose.yml was not applied; the stack is unchanged', details: errors.map((p) => `${p.file}${p.line ? `:${p.line}:${p.column ?? 1}` : ''}: ${p.message}`) });
    const docker = this.docker;
    const status = this.reachable;
    const { configDir } = this.loaded();
    const copy = path.join(configDir, COMPOSE_NAME);
    const before = fs.existsSync(copy) ? fs.readFileSync(copy, 'utf8') : undefined;
    const running = this.stack ? [...(await this.stack.containers())].filter(([, c]) => c.State === 'running').map(([name]) => name) : [];
    const progress = (e: Events['stack:progress']) => this.emit('stack:progress', e);
    fs.writeFileSync(copy, text);
    if (!docker || !status) {
      this.loadedSpec = undefined;
      return { id: '', note: 'docker-compose.yml saved; it applies when the stack starts' };
    }
    try {
      await this.openStack(docker, status);
      const stack = this.need();
      const still = running.filter((n) => stack.spec.services.some((s) => s.name === n));
      if (still.length) await this.exclusive('up', () => stack.up(still, progress, { wait: true }));
      return { id: '', note: still.length ? `docker-compose.yml applied; the running services (${still.join(', ')}) are up to date with it` : 'docker-compose.yml saved; it applies at the next Start' };
    } catch (err) {
      if (before === undefined) fs.rmSync(copy, { force: true });
      else fs.writeFileSync(copy, before);
      await this.openStack(docker, status);
      const back = this.need();
      if (running.length) await back.up(running, progress, { wait: true }).catch(() => undefined);
      const why = err instanceof ContractFailure ? err.error.message : toContractError(err).message;
      throw new ContractFailure({ code: 'APPLY_ROLLED_BACK', message: `docker-compose.yml was not applied (${why}); the previous file was put back${running.length ? ` and ${running.join(', ')} brought back up` : ''}` });
    }
  }

  private async configState(): Promise<ConfigState> {
    const { configDir } = this.loaded();
    const running = await this.runningFiles();
    const compose = composeSource(this.opts);
    return {
      configDir,
      files: [
        ...CONFIG_FILE_NAMES.map((name) => ({ name, text: fs.readFileSync(path.join(configDir, name), 'utf8'), ...(running[name] !== undefined ? { running: running[name] } : {}) })),
        {
          name: COMPOSE_NAME, text: compose.text, path: compose.source, running: this.loaded().text,
          ...(compose.editable ? {} : { readOnly: 'OBSDECK_COMPOSE_FILE names this file: edit it where it is' }),
        },
      ],
      history: new ConfigHistory(this.dataDir()).list().map((e) => ({ id: e.id, at: e.at, note: e.note })).reverse(),
    };
  }

  /** Validates a draft in a scratch copy of the config directory, leaving the real one alone. */
  private async validateDraft(file: ConfigFileName, text: string): Promise<ConfigProblem[]> {
    const { configDir } = this.loaded();
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'obsdeck-draft-'));
    try {
      for (const f of CONFIG_FILE_NAMES) fs.copyFileSync(path.join(configDir, f), path.join(scratch, f));
      fs.writeFileSync(path.join(scratch, file), text);
      const stack = this.stack;
      const images = stack ? { prometheus: stack.service('prometheus').image, alertmanager: stack.service('alertmanager').image } : undefined;
      const present = images && stack ? (await Promise.all(Object.values(images).map((i) => stack.docker.getImage(i).inspect().then(() => true, () => false)))).every(Boolean) : false;
      const problems = await validateConfigs(scratch, present && stack && images ? { docker: stack.docker, images } : undefined);
      return present ? problems : [...problems, { file, severity: 'warning', message: 'promtool and amtool were not run: the stack\'s images or the engine are not here' }];
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  }

  private published(service: string): string {
    const base = serviceBase(this.need().service(service));
    if (!base) throw new ContractFailure({ code: service === 'prometheus' ? 'PROMETHEUS_UNREACHABLE' : 'ALERTMANAGER_UNREACHABLE', message: `the stack publishes no ${service} port` });
    return base;
  }

  private alertmanager(): AlertmanagerClient {
    return new AlertmanagerClient(this.published('alertmanager'));
  }

  /** Ends the notices of the alerts Alertmanager reports silenced (it sends nothing more for them). */
  private endSilencedNotices(am: AmAlert[]): void {
    this.receiver.silenced(am.filter((a) => a.status.silencedBy.length).map((a) => a.fingerprint));
  }

  private amFailure(err: unknown): never {
    throw new ContractFailure({ code: 'ALERTMANAGER_UNREACHABLE', message: err instanceof Error ? err.message : String(err) });
  }

  /** Prometheus' alerts with their rule's expression and service, marked with the Alertmanager silences that cover them, and the silences. */
  private async alerts(): Promise<AlertsSnapshot> {
    let prom: (Alert & { expr: string })[];
    const services = new Map<string, string>();
    try {
      const client = new PrometheusClient(this.published('prometheus'));
      const [{ groups }, { activeTargets }] = await Promise.all([client.rules(), client.targets('active')]);
      prom = groups.flatMap((g) => g.rules.flatMap((r) => (r.type === 'alerting' ? r.alerts.map((a) => ({ ...a, expr: r.query })) : [])));
      for (const t of activeTargets) if (t.labels.job && t.labels.instance) services.set(t.labels.job, serviceOfInstance(t.labels.instance));
    } catch (err) {
      if (err instanceof ContractFailure) throw err;
      throw new ContractFailure({ code: 'PROMETHEUS_UNREACHABLE', message: err instanceof Error ? err.message : String(err) });
    }
    let am: AmAlert[] = [];
    let silences: Silence[] = [];
    let groups: AlertsSnapshot['groups'] = [];
    let reachable = true;
    try {
      const client = this.alertmanager();
      let raw: Awaited<ReturnType<AlertmanagerClient['groups']>>;
      [am, silences, raw] = await Promise.all([client.alerts(), client.silences(), client.groups()]);
      groups = raw.map((g) => ({
        labels: g.labels, receiver: g.receiver.name, alerts: g.alerts.length,
        active: g.alerts.filter((a) => a.status.state === 'active').length, suppressed: g.alerts.filter((a) => a.status.state === 'suppressed').length,
      }));
      this.endSilencedNotices(am);
    } catch {
      reachable = false;
    }
    // Alertmanager's copy of an alert carries Prometheus' external labels too: match on the alert's own.
    const silencedBy = (labels: Record<string, string>) => am.find((x) => x.status.silencedBy.length && Object.entries(labels).every(([k, v]) => x.labels[k] === v))?.status.silencedBy;
    return {
      alertmanager: reachable,
      groups,
      alerts: prom.map((a) => {
        const by = silencedBy(a.labels);
        const service = a.labels.instance ? serviceOfInstance(a.labels.instance) : a.labels.job ? services.get(a.labels.job) : undefined;
        return {
          name: a.labels.alertname ?? '?', state: a.state, labels: a.labels, annotations: a.annotations, value: a.value, expr: a.expr,
          ...(a.activeAt ? { activeAt: a.activeAt } : {}), ...(by ? { silencedBy: by } : {}), ...(service ? { service } : {}),
        };
      }),
      silences: silences.map((x) => ({ id: x.id, matchers: x.matchers, startsAt: x.startsAt, endsAt: x.endsAt, createdBy: x.createdBy, comment: x.comment, state: x.status.state })),
    };
  }

  private async tail(names: string[] | undefined, n: number): Promise<LogLine[]> {
    const stack = this.need();
    const existing = await stack.containers();
    const chosen = names?.length ? names : [...existing.keys()];
    const lines: LogLine[] = [];
    for (const name of chosen) {
      const info = existing.get(name);
      if (!info) continue;
      for await (const l of containerLines(stack.docker.getContainer(info.Id), name, { tail: n })) lines.push(l);
    }
    return lines.sort((a, b) => a.time.localeCompare(b.time)).slice(-n);
  }
}
