// The stack lock across processes: the app and `obsdeck` in a terminal (or two terminals) are
// separate processes on one data directory, so a change to a stack (start, stop, apply,
// restore, scale) takes a lock file there, keyed by the engine's endpoint and the project.
//
// The file is created whole and atomically (written aside, then hard-linked into place: link()
// fails when the name exists), and names its holder: pid, the process's start time, its command
// and what it does. A lock is stale only when that pid with that start time is gone — never by
// age, so a laptop that sleeps through an apply keeps it. A stale lock is taken over under a
// second, short-lived lock file, so two processes that both find it stale do not both take it.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { publishOnce } from '../files/atomic.js';

export interface LockOwner {
  pid: number;
  /** The process's start time as the OS tells it (Linux: /proc/<pid>/stat's starttime); '' where it cannot. */
  started: string;
  host: string;
  /** How a person would name the holder: `obsdeck apply`, `the Obsdeck app`. */
  command: string;
  /** What it is doing: up, apply, … */
  work: string;
  since: string;
}

/** The start time of process `pid` as the OS reports it, or '' where it cannot be read. */
export function processStart(pid: number): string {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime); the command name (field 2) may hold spaces and parentheses.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
  } catch {
    return '';
  }
}

/** Whether the holder's process still runs (the same pid and the same start time). */
export function holderAlive(owner: LockOwner): boolean {
  if (owner.host !== os.hostname()) return true; // another machine's process: cannot tell, so never stale
  try {
    process.kill(owner.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const now = processStart(owner.pid);
  return !owner.started || !now || now === owner.started;
}

/** How this process names itself in a lock: `the Obsdeck app` (Electron) or `obsdeck <command>`. */
export function thisProcess(): string {
  if (process.versions.electron) return 'the Obsdeck app';
  const command = process.argv.slice(2).find((a) => !a.startsWith('-'));
  return command ? `obsdeck ${command}` : 'obsdeck';
}

/** A one-line description: "`obsdeck apply` (pid 4242)". */
export function describeHolder(owner: LockOwner): string {
  return `\`${owner.command}\` (pid ${owner.pid})`;
}

export class LockFileDamaged extends Error {}

export type Acquired = { ok: true; tookOver?: LockOwner } | { ok: false; holder: LockOwner };

export class FileLock {
  private mine?: LockOwner;

  constructor(readonly file: string) {}

  /** The lock of `project` on the engine at `endpoint`, in `dataDir`/locks. */
  static for(dataDir: string, endpoint: string, project: string): FileLock {
    const key = crypto.createHash('sha256').update(`${endpoint}\0${project}`).digest('hex').slice(0, 16);
    return new FileLock(path.join(dataDir, 'locks', `${project.replace(/[^\w.-]/g, '_')}-${key}.lock`));
  }

  /** Who holds it now (undefined: nobody). A file that does not parse is reported, never removed. */
  holder(file = this.file): LockOwner | undefined {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    try {
      const o = JSON.parse(text) as LockOwner;
      if (typeof o.pid === 'number' && typeof o.command === 'string') return o;
    } catch { /* reported below */ }
    throw new LockFileDamaged(`the stack's lock file ${file} is damaged (not an Obsdeck lock); if no Obsdeck process is changing the stack, delete it`);
  }

  /** Takes the lock for `work` when it is free or stale; otherwise says who holds it. */
  tryAcquire(command: string, work: string): Acquired {
    if (this.mine) return { ok: true };
    const me: LockOwner = { pid: process.pid, started: processStart(process.pid), host: os.hostname(), command, work, since: new Date().toISOString() };
    if (this.create(this.file, me)) {
      this.mine = me;
      return { ok: true };
    }
    const holder = this.holder();
    if (!holder) return this.tryAcquire(command, work); // released meanwhile
    if (holderAlive(holder)) return { ok: false, holder };
    // Stale: take it over under the takeover lock, once, after checking it is still that holder.
    const takeover = `${this.file}.takeover`;
    if (!this.create(takeover, me)) {
      const t = this.holder(takeover);
      if (t && !holderAlive(t)) fs.rmSync(takeover, { force: true }); // a process died taking over: next try succeeds
      return { ok: false, holder };
    }
    try {
      const still = this.holder();
      if (still && (still.pid !== holder.pid || still.started !== holder.started)) return { ok: false, holder: still };
      fs.rmSync(this.file, { force: true });
      if (!this.create(this.file, me)) return { ok: false, holder: this.holder() ?? holder };
      this.mine = me;
      return { ok: true, tookOver: holder };
    } finally {
      fs.rmSync(takeover, { force: true });
    }
  }

  /** Takes the lock, waiting while another live process holds it; `onWait` hears of each new holder once. */
  async acquire(command: string, work: string, onWait: (holder: LockOwner) => void = () => undefined, everyMs = 200): Promise<{ tookOver?: LockOwner }> {
    let told: string | undefined;
    for (;;) {
      const r = this.tryAcquire(command, work);
      if (r.ok) return r.tookOver ? { tookOver: r.tookOver } : {};
      const key = `${r.holder.pid}/${r.holder.started}/${r.holder.work}`;
      if (key !== told) onWait(r.holder);
      told = key;
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  }

  /** Lets go of the lock if this process holds it (never removes another's). */
  release(): void {
    const mine = this.mine;
    this.mine = undefined;
    if (!mine) return;
    try {
      const now = this.holder();
      if (now && now.pid === mine.pid && now.started === mine.started && now.since === mine.since) fs.rmSync(this.file, { force: true });
    } catch {
      // A damaged file is not ours to remove.
    }
  }

  get held(): boolean {
    return this.mine !== undefined;
  }

  /** Creates `file` holding `owner`, atomically; false when it exists. */
  private create(file: string, owner: LockOwner): boolean {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    return publishOnce(file, `${JSON.stringify(owner)}\n`);
  }
}
