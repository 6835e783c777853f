// The vitals of a container on this machine's own engine, read where the engine itself reads
// them: the container's cgroup (CPU time, memory, block I/O) and its network namespace's
// /proc/<pid>/net/dev. The Engine API's one-shot stats cost the engine about 14 ms of CPU a
// container a read here (dockerd, containerd and the shim; bench:vitals), which at 4 services
// every 5 s is over 1 % of a core; these reads cost the app a few file reads. The answer has the
// Engine API's shape (RawStats), so the figures come out of the same arithmetic. Anything that
// does not look right (another engine's container, a cgroup layout this does not know, a pid
// from another pid namespace) is undefined, and the caller asks the Engine API instead.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The parts of a stats answer the vitals read (cgroup v1 and v2 alike). */
export interface RawStats {
  cpu_stats?: { cpu_usage?: { total_usage?: number }; system_cpu_usage?: number; online_cpus?: number };
  memory_stats?: { usage?: number; limit?: number; stats?: Record<string, number> };
  networks?: Record<string, { rx_bytes?: number; tx_bytes?: number }>;
  blkio_stats?: { io_service_bytes_recursive?: { op: string; value: number }[] | null };
}

export interface CgroupPaths { version: 1 | 2; cpu: string; memory: string; blkio: string }

/**
 * Where a process's cgroup lives under `root`, from its /proc/<pid>/cgroup: cgroup v1's named
 * controllers (cpuacct, memory, blkio), else v2's unified line (0::/path). Undefined when the
 * path does not name `containerId` (not that container's process).
 */
export function cgroupPaths(procCgroup: string, containerId: string, root = '/sys/fs/cgroup'): CgroupPaths | undefined {
  const lines = procCgroup.split('\n').map((l) => /^(\d+):([^:]*):(.*)$/.exec(l.trim())).filter((m): m is RegExpExecArray => !!m);
  const v1 = (controller: string) => lines.find((m) => m[2]!.split(',').includes(controller));
  const [cpu, memory, blkio] = [v1('cpuacct'), v1('memory'), v1('blkio')];
  const own = (p: string) => p.includes(containerId);
  if (cpu && memory && blkio) {
    if (![cpu, memory, blkio].every((m) => own(m[3]!))) return undefined;
    // A controller is mounted under its own name, or under the names it is co-mounted with (cpu,cpuacct).
    const dir = (m: RegExpExecArray, name: string) => {
      const joined = path.join(root, m[2]!);
      return path.join(fs.existsSync(joined) ? joined : path.join(root, name), m[3]!);
    };
    return { version: 1, cpu: dir(cpu, 'cpuacct'), memory: dir(memory, 'memory'), blkio: dir(blkio, 'blkio') };
  }
  const unified = lines.find((m) => m[1] === '0' && m[2] === '');
  if (!unified || !own(unified[3]!)) return undefined;
  const dir = path.join(root, unified[3]!);
  return { version: 2, cpu: dir, memory: dir, blkio: dir };
}

/** `key value` lines (memory.stat, cpu.stat) as numbers by key. */
export function keyValues(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined && /^\d+$/.test(v)) out[k] = Number(v);
  }
  return out;
}

/** Bytes read and written, as the Engine API lists them: from blkio.throttle.io_service_bytes_recursive (v1) or io.stat (v2). */
export function blockIo(text: string, version: 1 | 2): { op: string; value: number }[] {
  const out: { op: string; value: number }[] = [];
  for (const line of text.split('\n')) {
    if (version === 1) {
      const m = /^\d+:\d+ (Read|Write) (\d+)$/.exec(line.trim());
      if (m) out.push({ op: m[1]!, value: Number(m[2]) });
    } else {
      const r = /\brbytes=(\d+)/.exec(line);
      const w = /\bwbytes=(\d+)/.exec(line);
      if (r) out.push({ op: 'Read', value: Number(r[1]) });
      if (w) out.push({ op: 'Write', value: Number(w[1]) });
    }
  }
  return out;
}

/** Bytes received and sent per interface, from /proc/<pid>/net/dev, without loopback (as the Engine API counts them). */
export function netDev(text: string): Record<string, { rx_bytes: number; tx_bytes: number }> {
  const out: Record<string, { rx_bytes: number; tx_bytes: number }> = {};
  for (const line of text.split('\n').slice(2)) {
    const m = /^\s*([^:\s]+):\s*(.*)$/.exec(line);
    if (!m || m[1] === 'lo') continue;
    const f = m[2]!.trim().split(/\s+/).map(Number);
    out[m[1]!] = { rx_bytes: f[0] ?? 0, tx_bytes: f[8] ?? 0 };
  }
  return out;
}

/** The machine's CPU time in ns as the engine counts it (/proc/stat's first seven fields of "cpu"), and its CPUs. */
export function systemCpu(procStat: string, clockTicks = 100): { systemNs: number } {
  const fields = /^cpu\s+(.*)$/m.exec(procStat)?.[1]?.trim().split(/\s+/).slice(0, 7).map(Number) ?? [];
  return { systemNs: (fields.reduce((a, b) => a + b, 0) * 1e9) / clockTicks };
}

const read = (file: string) => fs.readFileSync(file, 'utf8');
/** A cgroup limit at or past the machine's memory (v1 writes a huge number, v2 "max") is no limit: the machine's memory is. */
const limitOf = (text: string) => {
  const n = /^\d+$/.test(text.trim()) ? Number(text.trim()) : Infinity;
  return Math.min(n, os.totalmem());
};

/**
 * Reads a container's stats from its cgroup and /proc, given its init process's pid (the
 * Engine API's State.Pid). Throws when a file is not there or not readable.
 */
export function readCgroupStats(pid: number, paths: CgroupPaths, proc = '/proc'): RawStats {
  const { systemNs } = systemCpu(read(path.join(proc, 'stat')));
  const cpuNs = paths.version === 1 ? Number(read(path.join(paths.cpu, 'cpuacct.usage')).trim()) : keyValues(read(path.join(paths.cpu, 'cpu.stat'))).usage_usec! * 1000;
  if (!Number.isFinite(cpuNs)) throw new Error(`no CPU usage in ${paths.cpu}`);
  const memory = paths.version === 1
    ? { usage: Number(read(path.join(paths.memory, 'memory.usage_in_bytes')).trim()), limit: limitOf(read(path.join(paths.memory, 'memory.limit_in_bytes'))), stats: keyValues(read(path.join(paths.memory, 'memory.stat'))) }
    : { usage: Number(read(path.join(paths.memory, 'memory.current')).trim()), limit: limitOf(read(path.join(paths.memory, 'memory.max'))), stats: keyValues(read(path.join(paths.memory, 'memory.stat'))) };
  const io = paths.version === 1 ? read(path.join(paths.blkio, 'blkio.throttle.io_service_bytes_recursive')) : read(path.join(paths.blkio, 'io.stat'));
  return {
    cpu_stats: { cpu_usage: { total_usage: cpuNs }, system_cpu_usage: systemNs, online_cpus: os.cpus().length },
    memory_stats: memory,
    networks: netDev(read(path.join(proc, String(pid), 'net', 'dev'))),
    blkio_stats: { io_service_bytes_recursive: blockIo(io, paths.version) },
  };
}

/**
 * The cgroup reader of one engine's containers: each container's pid and cgroup found once (an
 * inspect and /proc/<pid>/cgroup), then file reads. undefined for a container it cannot read
 * (the caller uses the Engine API for it).
 */
export class CgroupStats {
  private readonly found = new Map<string, { pid: number; paths: CgroupPaths } | null>();

  constructor(private readonly inspectPid: (id: string) => Promise<number | undefined>, private readonly root = '/sys/fs/cgroup', private readonly proc = '/proc') {}

  async read(id: string): Promise<RawStats | undefined> {
    let where = this.found.get(id);
    if (where === undefined) {
      const pid = await this.inspectPid(id).catch(() => undefined);
      let paths: CgroupPaths | undefined;
      try {
        paths = pid ? cgroupPaths(read(path.join(this.proc, String(pid), 'cgroup')), id, this.root) : undefined;
      } catch {
        paths = undefined;
      }
      where = pid && paths ? { pid, paths } : null;
      this.found.set(id, where);
    }
    if (!where) return undefined;
    try {
      // The pid is still that container's (not one reused by another process since).
      if (!read(path.join(this.proc, String(where.pid), 'cgroup')).includes(id)) throw new Error('another process');
      return readCgroupStats(where.pid, where.paths, this.proc);
    } catch {
      // The container stopped or was replaced under that pid: find it again next time.
      this.found.delete(id);
      return undefined;
    }
  }

  /** Forgets containers that are gone. */
  keep(ids: Iterable<string>): void {
    const live = new Set(ids);
    for (const id of [...this.found.keys()]) if (!live.has(id)) this.found.delete(id);
  }
}
