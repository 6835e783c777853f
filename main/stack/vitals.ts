// What each running service costs, read every few seconds: from its container's cgroup when the
// engine is on this machine (cgroup-stats.ts), else the Engine API's stats, read one-shot (a
// non-streamed read without one-shot waits a second or two per container for its own second
// sample); turned into the figures `docker stats` shows: CPU % (100 % is one core), memory as
// docker stats counts it (usage less the inactive page cache), network and block I/O. The last
// 15 minutes are kept for the cards' sparklines and the Metrics view's Vitals charts.
import type Docker from 'dockerode';
import type { VitalsPoint, VitalsState } from '../contract.js';
import { CgroupStats, type RawStats } from './cgroup-stats.js';

export type { RawStats } from './cgroup-stats.js';

/**
 * docker stats' memory: usage less inactive file pages (cgroup v1 `total_inactive_file`, which
 * counts the whole hierarchy as usage does, where v1's `inactive_file` is the cgroup's own;
 * cgroup v2 `inactive_file`), as the docker CLI computes it.
 */
export function workingSet(m: RawStats['memory_stats']): number {
  const usage = m?.usage ?? 0;
  const cache = m?.stats?.total_inactive_file ?? m?.stats?.inactive_file ?? 0;
  return Math.max(0, usage - (cache < usage ? cache : 0));
}

interface Counters { cpuNs: number; systemNs: number }

/** One point from a stats answer; CPU % from the previous answer of the same container (none for the first). */
export function pointOf(s: RawStats, at: number, previous?: Counters): { point: VitalsPoint; counters: Counters } {
  const cpuNs = s.cpu_stats?.cpu_usage?.total_usage ?? 0;
  const systemNs = s.cpu_stats?.system_cpu_usage ?? 0;
  const cpus = s.cpu_stats?.online_cpus ?? 1;
  let cpuPercent: number | undefined;
  if (previous && systemNs > previous.systemNs && cpuNs >= previous.cpuNs) cpuPercent = ((cpuNs - previous.cpuNs) / (systemNs - previous.systemNs)) * cpus * 100;
  const nets = Object.values(s.networks ?? {});
  const io = s.blkio_stats?.io_service_bytes_recursive ?? [];
  const blk = (op: string) => io.filter((e) => e.op.toLowerCase() === op).reduce((t, e) => t + e.value, 0);
  return {
    point: {
      at, ...(cpuPercent !== undefined ? { cpuPercent } : {}), cpuSeconds: cpuNs / 1e9,
      memoryBytes: workingSet(s.memory_stats), memoryLimitBytes: s.memory_stats?.limit ?? 0,
      netRxBytes: nets.reduce((t, n) => t + (n.rx_bytes ?? 0), 0), netTxBytes: nets.reduce((t, n) => t + (n.tx_bytes ?? 0), 0),
      blockReadBytes: blk('read'), blockWriteBytes: blk('write'),
    },
    counters: { cpuNs, systemNs },
  };
}

export interface VitalsHost {
  docker(): Docker | undefined;
  /** The running services' containers on this engine: service → container id. */
  running(): Promise<Map<string, string>>;
  /** A new sample of every running service. */
  sampled(points: Record<string, VitalsPoint>): void;
  /**
   * Whether the engine runs on this machine (a local Linux socket): then a container's cgroup is
   * read directly (cgroup-stats.ts), which costs the engine nothing; else the Engine API's stats.
   */
  local?(): boolean;
}

export const VITALS_KEEP_MS = 15 * 60_000;
/** Where the app serves them to Prometheus (prometheus.yml's obsdeck-vitals job), beside the alert receiver. */
export const VITALS_METRICS_PATH = '/metrics/vitals';

/** Samples every `intervalMs` while started; keeps the last 15 minutes per service. */
export class VitalsKeeper {
  private readonly series = new Map<string, VitalsPoint[]>();
  private readonly counters = new Map<string, Counters>();
  /** The last round's points: what the metrics endpoint serves (a service that stopped drops out). */
  private latest: Record<string, VitalsPoint> = {};
  private timer?: NodeJS.Timeout;
  private busy = false;
  private cgroups?: { docker: Docker; reader: CgroupStats };

  constructor(private readonly host: VitalsHost, readonly intervalMs = 5000) {}

  start(): void {
    if (this.timer || this.intervalMs <= 0) return;
    this.timer = setInterval(() => void this.sample(), this.intervalMs);
    this.timer.unref();
    void this.sample();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One round of one-shot reads, all containers at once; a round still running is not doubled. */
  async sample(now = Date.now()): Promise<Record<string, VitalsPoint>> {
    const docker = this.host.docker();
    if (this.busy || !docker) return {};
    this.busy = true;
    try {
      const running = await this.host.running().catch(() => new Map<string, string>());
      const live = new Set(running.values());
      const points: Record<string, VitalsPoint> = {};
      const cgroups = this.cgroupReader(docker);
      cgroups?.keep(live);
      await Promise.all([...running].map(async ([service, id]) => {
        const raw = (await cgroups?.read(id)) ?? await docker.getContainer(id).stats({ stream: false, 'one-shot': true } as { stream: false }).catch(() => undefined);
        if (!raw?.cpu_stats) return;
        const { point, counters } = pointOf(raw, now, this.counters.get(id));
        this.counters.set(id, counters);
        points[service] = point;
        const list = this.series.get(service) ?? [];
        list.push(point);
        while (list.length && list[0]!.at < now - VITALS_KEEP_MS) list.shift();
        this.series.set(service, list);
      }));
      for (const id of [...this.counters.keys()]) if (!live.has(id)) this.counters.delete(id);
      this.latest = points;
      if (Object.keys(points).length) this.host.sampled(points);
      return points;
    } finally {
      this.busy = false;
    }
  }

  /** The cgroup reader for this engine's containers, when it is on this machine (one per engine: a reconnect may be another). */
  private cgroupReader(docker: Docker): CgroupStats | undefined {
    if (process.platform !== 'linux' || !this.host.local?.()) return undefined;
    if (this.cgroups?.docker !== docker) {
      this.cgroups = { docker, reader: new CgroupStats(async (id) => ((await docker.getContainer(id).inspect()).State.Pid || undefined)) };
    }
    return this.cgroups.reader;
  }

  /** The last round in Prometheus' text format (see exposition()). */
  metrics(): string {
    return exposition(this.latest);
  }

  state(): VitalsState {
    return { intervalMs: this.intervalMs, services: Object.fromEntries(this.series) };
  }
}

/**
 * The metrics Prometheus scrapes from the app (job obsdeck-vitals in prometheus.yml), named and
 * counted as cAdvisor does, so rules and dashboards written for cAdvisor read them unchanged:
 * `rate(container_cpu_usage_seconds_total[1m])` is cores in use. Labelled by the compose service
 * (and on Swarm the task's slot, `task`), no container id or name: a recreated container
 * continues its service's series, and a counter that starts again from zero is a reset that
 * rate() already handles.
 */
const METRICS: { name: string; type: 'counter' | 'gauge'; help: string; value: (p: VitalsPoint) => number }[] = [
  { name: 'container_cpu_usage_seconds_total', type: 'counter', help: 'Cumulative CPU time consumed, in seconds.', value: (p) => p.cpuSeconds },
  { name: 'container_memory_working_set_bytes', type: 'gauge', help: 'Current working set in bytes (usage less inactive file pages, as docker stats counts memory).', value: (p) => p.memoryBytes },
  { name: 'container_spec_memory_limit_bytes', type: 'gauge', help: 'Memory limit of the container in bytes (the machine\'s memory when none is set).', value: (p) => p.memoryLimitBytes },
  { name: 'container_network_receive_bytes_total', type: 'counter', help: 'Cumulative bytes received, all interfaces.', value: (p) => p.netRxBytes },
  { name: 'container_network_transmit_bytes_total', type: 'counter', help: 'Cumulative bytes transmitted, all interfaces.', value: (p) => p.netTxBytes },
  { name: 'container_fs_reads_bytes_total', type: 'counter', help: 'Cumulative bytes read from block devices.', value: (p) => p.blockReadBytes },
  { name: 'container_fs_writes_bytes_total', type: 'counter', help: 'Cumulative bytes written to block devices.', value: (p) => p.blockWriteBytes },
];

/** Escapes a label value for the text format (backslash, double quote, newline). */
const labelValue = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/** A vitals key's labels: `service`, or `service/slot` (a Swarm task) as service and task. */
function labelsOf(key: string): string {
  const cut = key.indexOf('/');
  return cut < 0 ? `service="${labelValue(key)}"` : `service="${labelValue(key.slice(0, cut))}",task="${labelValue(key.slice(cut + 1))}"`;
}

/** `points` (vitals key → its last sample) in Prometheus' text exposition format 0.0.4. */
export function exposition(points: Record<string, VitalsPoint>): string {
  const services = Object.keys(points).sort();
  const lines: string[] = [];
  for (const m of METRICS) {
    lines.push(`# HELP ${m.name} ${m.help}`, `# TYPE ${m.name} ${m.type}`);
    for (const s of services) lines.push(`${m.name}{${labelsOf(s)}} ${m.value(points[s]!)}`);
  }
  return `${lines.join('\n')}\n`;
}
