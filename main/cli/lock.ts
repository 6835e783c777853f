// The CLI's side of the stack lock (host/file-lock.ts): a command that changes the stack takes
// the same lock file as the app, so a terminal and the app never interleave a start or an apply.
// It waits its turn, saying so in one line, or with --no-wait refuses at once, naming the holder.
import { describeHolder, FileLock, thisProcess } from '../host/file-lock.js';
import type { OptionSpec, Parsed } from './table.js';
import { dim, yellow } from './output.js';

export const NO_WAIT: Record<string, OptionSpec> = {
  'no-wait': { type: 'boolean', help: 'when another Obsdeck process is changing the stack, exit 4 at once instead of waiting' },
};

/** Exit code 4: another process holds the stack's lock and --no-wait was given. */
export class LockBusy extends Error {}

/** Runs `work` holding the lock of `project` on the engine at `endpoint`, in `dataDir`. */
export async function underLock<T>(where: { dataDir: string; endpoint: string; project: string }, work: string, values: Parsed['values'], run: () => Promise<T>): Promise<T> {
  const file = FileLock.for(where.dataDir, where.endpoint, where.project);
  const command = thisProcess();
  let took;
  if (values['no-wait'] === true) {
    const r = file.tryAcquire(command, work);
    if (!r.ok) throw new LockBusy(`the stack is busy: ${describeHolder(r.holder)} is running ${r.holder.work} (since ${r.holder.since}); try again when it is done, or leave out --no-wait to wait`);
    took = r.tookOver;
  } else {
    took = (await file.acquire(command, work, (h) => {
      process.stderr.write(`${dim('…')} waiting: ${describeHolder(h)} is running ${h.work} on this stack\n`);
    })).tookOver;
  }
  const release = () => file.release();
  process.once('exit', release);
  try {
    if (took) process.stderr.write(`${yellow('note')}: took over the stack's lock from ${describeHolder(took)}, which ended while running ${took.work}\n`);
    return await run();
  } finally {
    process.off('exit', release);
    release();
  }
}
