// The services' logs for the app's pages: the last lines of each, merged in time order, or a
// live follow delivered in batches (at most every 100 ms) with a bounded backlog, so a chatty
// container costs few messages and a slow client cannot grow memory without bound.
import type { LogLine } from '../contract.js';
import { containerLines } from './logs.js';
import type { Stack } from './stack.js';

/** Log lines are sent in batches, at most this often. */
const LOG_BATCH_MS = 100;
/** A receiver that does not keep up loses the oldest unsent lines beyond this. */
const LOG_BACKLOG = 20_000;

export interface FollowOptions { services?: string[]; tail?: number; since?: string }

/**
 * Follows the services' logs (all that have a container when none are named) into `deliver`.
 * Returns the services followed and the function that stops every stream.
 */
export async function followLogs(stack: Stack, opts: FollowOptions, deliver: (lines: LogLine[]) => void): Promise<{ following: string[]; stop: () => void }> {
  const existing = await stack.containers();
  const names = (opts.services?.length ? opts.services : [...existing.keys()]).filter((n) => existing.has(n));
  const controller = new AbortController();
  let batch: LogLine[] = [];
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    timer = undefined;
    if (!batch.length || controller.signal.aborted) return;
    const lines = batch;
    batch = [];
    deliver(lines);
  };
  for (const name of names) {
    const lines = containerLines(stack.docker.getContainer(existing.get(name)!.Id), name, { follow: true, tail: opts.tail ?? 500, since: opts.since, signal: controller.signal });
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
  return {
    following: names,
    stop: () => {
      controller.abort();
      clearTimeout(timer);
    },
  };
}

/** The last `n` lines of the services (all when none are named), merged in time order. */
export async function tailLogs(stack: Stack, names: string[] | undefined, n: number): Promise<LogLine[]> {
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
