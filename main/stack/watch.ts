// Live status of the stack, driven by Docker's event stream rather than polling the engine:
// a container event refreshes that one service. Readiness (an HTTP answer, which no Docker
// event reports) is probed quickly after a start and every few seconds while running. When the
// engine goes away, every service shows "unknown" at once (never a stale "running"), and the
// watcher reconnects with backoff, resubscribes and reconciles.
import { EventEmitter } from 'node:events';
import type { Stack, ServiceStatus } from './stack.js';
import { LABEL } from './stack.js';

export interface WatcherOptions {
  /** Delays between reconnection attempts, the last one repeating. */
  backoffMs?: number[];
  /** How often running services are probed for readiness. */
  readinessEveryMs?: number;
}

export interface EngineState { connected: boolean; error?: string; attempts?: number }

/** Container events after which it no longer holds its published ports. */
const GONE = new Set(['die', 'kill', 'stop', 'destroy', 'pause', 'oom']);

export class StatusWatcher extends EventEmitter<{ change: [statuses: ServiceStatus[]]; engine: [state: EngineState]; down: [service: string] }> {
  private statuses = new Map<string, ServiceStatus>();
  private stream?: NodeJS.ReadableStream & { destroy?: () => void };
  private stopped = false;
  private connected = false;
  private readinessTimer?: NodeJS.Timeout;
  private retryTimer?: NodeJS.Timeout;
  private readonly backoff: number[];
  private readonly fastProbes = new Set<string>();

  constructor(private readonly stack: Stack, private readonly opts: WatcherOptions = {}) {
    super();
    this.backoff = opts.backoffMs ?? [250, 500, 1000, 2000, 5000];
  }

  snapshot(): ServiceStatus[] {
    return this.stack.spec.services.map((s) => this.statuses.get(s.name) ?? { service: s.name, state: 'unknown', ready: false, restartCount: 0, ports: [], image: s.image });
  }

  get engineConnected(): boolean {
    return this.connected;
  }

  /** Resolves once the first snapshot is taken (or the first connection failed and retrying began). */
  async start(): Promise<void> {
    this.stopped = false;
    await this.connect(0);
    this.readinessTimer = setInterval(() => void this.probeRunning(), this.opts.readinessEveryMs ?? 5000);
    this.readinessTimer.unref();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.readinessTimer);
    clearTimeout(this.retryTimer);
    this.stream?.destroy?.();
  }

  private emitChange(): void {
    this.emit('change', this.snapshot());
  }

  private async connect(attempt: number): Promise<void> {
    if (this.stopped) return;
    let stream: (NodeJS.ReadableStream & { destroy?: () => void }) | undefined;
    try {
      await this.stack.bounded('answering a ping', this.stack.docker.ping());
      stream = (await this.stack.bounded('subscribing to events', this.stack.docker.getEvents({ filters: { type: ['container'], label: [`${LABEL.project}=${this.stack.spec.project}`] } })));
      this.stream = stream;
      this.connected = true;
      this.emit('engine', { connected: true, attempts: attempt });
      let buffered = '';
      stream.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('utf8');
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) {
          if (!line.trim()) continue;
          try {
            const e = JSON.parse(line) as { Action?: string; status?: string; Actor?: { Attributes?: Record<string, string> } };
            const service = e.Actor?.Attributes?.[LABEL.service];
            if (!service) continue;
            // Said at once, before the container is inspected again: its port may be free already.
            if (GONE.has(e.Action ?? e.status ?? '')) this.emit('down', service);
            void this.refresh(service);
          } catch { /* a malformed event line is skipped */ }
        }
      });
      const subscribed = stream;
      const lost = (err?: Error) => {
        if (this.stream !== subscribed) return;
        this.stream = undefined;
        this.lost(err?.message ?? 'the event stream ended');
      };
      stream.once('end', () => lost());
      stream.once('error', lost);
      // Subscribed first, then a full reconcile: nothing that happens in between is missed.
      await this.refreshAll();
    } catch (err) {
      // A reconcile that failed after subscribing: this stream is dropped here, so its end
      // (which would start a loop of its own) is not taken for a second loss. One loop only.
      if (stream && this.stream === stream) this.stream = undefined;
      stream?.destroy?.();
      this.connected = false;
      const message = err instanceof Error ? err.message : String(err);
      this.markUnknown(message);
      this.emit('engine', { connected: false, error: message, attempts: attempt + 1 });
      this.retry(attempt + 1);
    }
  }

  private lost(error: string): void {
    if (this.stopped) return;
    this.connected = false;
    this.markUnknown(error);
    this.emit('engine', { connected: false, error, attempts: 0 });
    this.retry(0);
  }

  /** Schedules the next connection attempt; one is ever pending (one reconnect loop). */
  private retry(attempt: number): void {
    if (this.stopped || this.retryTimer) return;
    const delay = this.backoff[Math.min(attempt, this.backoff.length - 1)]!;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.connect(attempt);
    }, delay);
  }

  private markUnknown(error: string): void {
    for (const s of this.stack.spec.services) {
      const prev = this.statuses.get(s.name);
      this.statuses.set(s.name, { service: s.name, state: 'unknown', ready: false, restartCount: prev?.restartCount ?? 0, ports: [], image: s.image, lastLogs: [`Docker engine unreachable: ${error}`] });
    }
    this.emitChange();
  }

  /** Inspects and probes every service again now (after a Start: its readiness as it is, not as last probed). */
  async refreshAll(): Promise<void> {
    const list = await this.stack.status();
    this.statuses = new Map(list.map((s) => [s.service, s]));
    this.emitChange();
    for (const s of list) if (s.state === 'running' && !s.ready) this.probeUntilReady(s.service);
  }

  private async refresh(service: string): Promise<void> {
    const spec = this.stack.spec.services.find((s) => s.name === service);
    if (!spec) return;
    try {
      const info = (await this.stack.containers()).get(service);
      const status = await this.stack.statusOf(spec, info);
      this.statuses.set(service, status);
      this.emitChange();
      // Running but not (yet) answering: probe fast until it does, rather than at the next sweep.
      if (status.state === 'running' && !status.ready) this.probeUntilReady(service);
    } catch { /* the engine went away; the stream's end reports it */ }
  }

  /** After a start, readiness is probed every 100 ms until it answers (or the container stops). */
  private probeUntilReady(service: string): void {
    if (this.fastProbes.has(service)) return;
    this.fastProbes.add(service);
    const spec = this.stack.spec.services.find((s) => s.name === service)!;
    const tick = async () => {
      const current = this.statuses.get(service);
      if (this.stopped || !current || current.state !== 'running') {
        this.fastProbes.delete(service);
        return;
      }
      if (await this.stack.probe(spec, 'running')) {
        this.fastProbes.delete(service);
        this.statuses.set(service, { ...current, ready: true });
        this.emitChange();
        return;
      }
      setTimeout(() => void tick(), 100);
    };
    void tick();
  }

  private async probeRunning(): Promise<void> {
    if (!this.connected) return;
    let changed = false;
    for (const s of this.stack.spec.services) {
      const current = this.statuses.get(s.name);
      if (current?.state !== 'running' || this.fastProbes.has(s.name)) continue;
      const ready = await this.stack.probe(s, 'running');
      if (ready !== current.ready) {
        this.statuses.set(s.name, { ...current, ready });
        changed = true;
      }
    }
    if (changed) this.emitChange();
  }
}
