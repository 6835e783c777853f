// The services' logs for the app's pages: the last lines of each, merged in time order, or a
// live follow delivered in batches (at most every 100 ms) with a bounded backlog, so a chatty
// container costs few messages and a slow client cannot grow memory without bound.
import type { LogLine } from '../contract.js';
import { containerBatches } from './logs.js';
import type { Stack } from './stack.js';

/** Log lines are sent in batches, at most this often. */
const LOG_BATCH_MS = 100;
/** A receiver that does not keep up loses the oldest unsent lines beyond this. */
const LOG_BACKLOG = 20_000;

export interface FollowOptions { services?: string[]; tail?: number; since?: string }

/** How often a follow looks for a container or task that started after it began. */
export const FOLLOW_RELIST_MS = 2000;

/**
 * Where a follow reads: one source of line batches per container (or per Swarm task), and the services they
 * cover. `keys` (one per source: its container or task id) let a follow see which are new when it
 * asks again; `running` asks for the running ones only. A source does nothing until it is read.
 */
export type LogSources = (opts: FollowOptions & { follow: boolean; signal?: AbortSignal; running?: boolean }) => Promise<{ services: string[]; sources: AsyncIterable<LogLine[]>[]; keys?: string[] }>;

/** The plain containers of a stack, one source each (all that have a container when none are named). */
export function containerSources(stack: Stack): LogSources {
  return async (opts) => {
    const existing = await stack.containers();
    const names = (opts.services?.length ? opts.services : [...existing.keys()]).filter((n) => existing.has(n));
    const open = names.filter((n) => !opts.running || existing.get(n)!.State === 'running');
    return {
      services: names,
      keys: open.map((n) => existing.get(n)!.Id),
      sources: open.map((name) => containerBatches(stack.docker.getContainer(existing.get(name)!.Id), name, { follow: opts.follow, tail: opts.tail, since: opts.since, signal: opts.signal })),
    };
  };
}

/**
 * Follows the services' logs into `deliver` (a Stack: its containers; or any LogSources, such
 * as a Swarm service's tasks). Returns the services followed and the function that stops every stream.
 */
export async function followLogs(from: Stack | LogSources, opts: FollowOptions, deliver: (lines: LogLine[]) => void): Promise<{ following: string[]; stop: () => void }> {
  const sourcesOf = typeof from === 'function' ? from : containerSources(from);
  const controller = new AbortController();
  const { services, sources, keys } = await sourcesOf({ ...opts, tail: opts.tail ?? 500, follow: true, signal: controller.signal });
  let batch: LogLine[] = [];
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    timer = undefined;
    if (!batch.length || controller.signal.aborted) return;
    const lines = batch;
    batch = [];
    deliver(lines);
  };
  // Each source read until it ends (its container stopped, the engine went); its key is then free
  // again, so a restarted container, or a container or task that starts later, is followed too.
  const active = new Set<string>();
  /** When each source's stream ended (a restarted container is read again from then). */
  const ended = new Map<string, number>();
  const startedAt = Date.now();
  const read = (key: string, batches: AsyncIterable<LogLine[]>) => {
    active.add(key);
    ended.delete(key);
    void (async () => {
      try {
        for await (const lines of batches) {
          for (const line of lines) batch.push(line);
          if (batch.length > LOG_BACKLOG) batch.splice(0, batch.length - LOG_BACKLOG);
          timer ??= setTimeout(flush, LOG_BATCH_MS);
        }
      } catch { /* the container went away or the engine did: the status view says which */ } finally {
        active.delete(key);
        ended.set(key, Date.now());
      }
    })();
  };
  sources.forEach((lines, i) => read(keys?.[i] ?? `#${i}`, lines));
  let relist: NodeJS.Timeout | undefined;
  if (keys) {
    let looking = false;
    const look = async () => {
      if (looking) return;
      looking = true;
      try {
        const listed = await sourcesOf({ ...opts, tail: 0, follow: true, running: true, signal: controller.signal }).catch(() => undefined);
        const fresh = (listed?.keys ?? []).filter((k) => !active.has(k));
        if (controller.signal.aborted || !fresh.length) return;
        // A new source from the follow's start (Swarm reports a task running seconds after it
        // logged its first lines); a source read before, from a second before its stream ended.
        const from = Math.min(...fresh.map((k) => (ended.has(k) ? ended.get(k)! - 1000 : startedAt)));
        const again = await sourcesOf({ ...opts, since: new Date(from).toISOString(), tail: undefined, follow: true, running: true, signal: controller.signal }).catch(() => undefined);
        if (controller.signal.aborted || !again?.keys) return;
        again.keys.forEach((key, i) => {
          if (!active.has(key) && fresh.includes(key)) read(key, again.sources[i]!);
        });
      } finally {
        looking = false;
      }
    };
    relist = setInterval(() => void look(), FOLLOW_RELIST_MS);
    relist.unref();
  }
  return {
    following: services,
    stop: () => {
      controller.abort();
      clearTimeout(timer);
      clearInterval(relist);
    },
  };
}

/** The last `n` lines of the services (all when none are named), merged in time order. */
export async function tailLogs(from: Stack | LogSources, names: string[] | undefined, n: number): Promise<LogLine[]> {
  const sourcesOf = typeof from === 'function' ? from : containerSources(from);
  const { sources } = await sourcesOf({ services: names, tail: n, follow: false });
  const lines: LogLine[] = [];
  for (const source of sources) for await (const batch of source) for (const l of batch) lines.push(l);
  return lines.sort((a, b) => a.time.localeCompare(b.time)).slice(-n);
}
