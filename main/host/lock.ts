// One lock for everything that changes the stack (up, down, stop, restart, apply, restore,
// compose apply, scale, images). Within this process a click while the stack is busy is refused
// at once (the buttons say what is under way) and a config change waits its turn. Across
// processes (the app, `obsdeck serve`, `obsdeck` in a terminal) the same turn also holds the
// stack's lock file in the data directory (file-lock.ts): a change another process is making
// refuses a click, naming that process, and makes a config change wait.
import type { StackSnapshot } from '../contract.js';
import { ContractFailure } from './errors.js';
import { describeHolder, holderAlive, type FileLock, type LockOwner } from './file-lock.js';

export type Work = NonNullable<StackSnapshot['busy']>;

/** The lock file of the open stack, and how this process names itself in it. */
export interface MachineLock { file: FileLock; command: string }

export class StackLock {
  private held?: Work;
  private tail: Promise<unknown> = Promise.resolve();

  /**
   * `machine`: the open stack's lock file (undefined while no stack is open); `tookOver` hears
   * of a lock left by a process that is gone, before the work runs.
   */
  constructor(
    private readonly changed: () => void,
    private readonly machine: () => MachineLock | undefined = () => undefined,
    private readonly tookOver: (owner: LockOwner) => Promise<void> | void = () => undefined,
  ) {}

  get busy(): Work | undefined {
    return this.held;
  }

  /** Runs `work` holding the lock; `wait` queues behind the holder instead of refusing. */
  async run<T>(kind: Work, work: () => Promise<T>, opts: { wait?: boolean } = {}): Promise<T> {
    if (this.held && !opts.wait) throw new ContractFailure({ code: 'BUSY', message: `the stack is busy with ${this.held}; try again when it is done` });
    const turn = this.tail.then(async () => {
      const machine = this.machine();
      let took: LockOwner | undefined;
      if (machine && opts.wait) {
        took = (await machine.file.acquire(machine.command, kind)).tookOver;
      } else if (machine) {
        const r = machine.file.tryAcquire(machine.command, kind);
        if (!r.ok) throw new ContractFailure({ code: 'BUSY', message: `the stack is busy: ${describeHolder(r.holder)} is running ${r.holder.work}; try again when it is done` });
        took = r.tookOver;
      }
      this.held = kind;
      this.changed();
      try {
        if (took) await this.tookOver(took);
        return await work();
      } finally {
        this.held = undefined;
        machine?.file.release();
        this.changed();
      }
    });
    this.tail = turn.catch(() => undefined);
    return turn;
  }
}

/**
 * Looks at the lock file every second: `changed` hears of another live process that holds it
 * (or of none any more) whenever that differs from the last look. A damaged file counts as none
 * here; a change that tries to take it reports it.
 */
export function watchOtherHolder(lock: () => MachineLock | undefined, changed: (other: LockOwner | undefined) => void): NodeJS.Timeout {
  let last: LockOwner | undefined;
  const look = () => {
    let holder: LockOwner | undefined;
    try {
      holder = lock()?.file.holder();
    } catch {
      holder = undefined;
    }
    const other = holder && holder.pid !== process.pid && holderAlive(holder) ? holder : undefined;
    if (JSON.stringify(other) !== JSON.stringify(last)) {
      last = other;
      changed(other);
    }
  };
  look();
  const timer = setInterval(look, 1000);
  timer.unref();
  return timer;
}

/** What a process that took over a stale lock says: whose it was, and what its cut-short change left running. */
export function tookOverMessage(owner: LockOwner, drift: string[]): string {
  const left = drift.length
    ? `${drift.join(', ')} in the running services differ from the config directory (it was cut short; Apply or Restore sets them right)`
    : 'what runs matches the config directory';
  return `took over the stack's lock from ${describeHolder(owner)}, which ended while running ${owner.work}: ${left}`;
}
