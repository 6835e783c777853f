// Container logs as lines: the Engine's multiplexed stream (8-byte frame headers when the
// container has no TTY) split into stdout and stderr, then into lines that may span frames and
// chunks, each with the timestamp Docker recorded. Followed streams apply backpressure: nothing
// is read from the engine faster than the consumer takes lines, and a line longer than
// MAX_LINE is cut, so a chatty or binary-spewing container cannot exhaust memory.
import type Docker from 'dockerode';
import type { LogLine } from '../contract.js';

export const MAX_LINE = 16 * 1024;

/** One line of a container's log (the contract's type: the pages get these as they are). */
export type { LogLine } from '../contract.js';

/** Splits text arriving in arbitrary chunks into lines (\n or \r\n), keeping the partial tail. */
export class LineSplitter {
  private tail = '';
  private readonly decoder = new TextDecoder('utf-8');

  push(chunk: Uint8Array): string[] {
    const text = this.tail + this.decoder.decode(chunk, { stream: true });
    const parts = text.split('\n');
    this.tail = parts.pop() ?? '';
    while (this.tail.length > MAX_LINE) {
      parts.push(this.tail.slice(0, MAX_LINE));
      this.tail = this.tail.slice(MAX_LINE);
    }
    return parts.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l).slice(0, MAX_LINE));
  }

  /** The last line when the stream ends without a newline. */
  end(): string[] {
    const rest = this.tail + this.decoder.decode();
    this.tail = '';
    return rest ? [rest.slice(0, MAX_LINE)] : [];
  }
}

/** Reads Docker's multiplexed frames ([stream, 0, 0, 0, size(4, big-endian)] + payload) across chunk boundaries. */
export class Demuxer {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): { stream: 'stdout' | 'stderr'; payload: Buffer }[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: { stream: 'stdout' | 'stderr'; payload: Buffer }[] = [];
    while (this.buf.length >= 8) {
      const size = this.buf.readUInt32BE(4);
      if (this.buf.length < 8 + size) break;
      out.push({ stream: this.buf[0] === 2 ? 'stderr' : 'stdout', payload: this.buf.subarray(8, 8 + size) });
      this.buf = this.buf.subarray(8 + size);
    }
    return out;
  }
}

/** "2026-11-24T23:00:00.123456789Z message" → time and text. */
export function splitTimestamp(line: string): { time: string; text: string } {
  const space = line.indexOf(' ');
  if (space > 0 && /^\d{4}-\d\d-\d\dT/.test(line)) return { time: line.slice(0, space), text: line.slice(space + 1) };
  return { time: '', text: line };
}

export interface LogOptions {
  follow?: boolean;
  /** Unix seconds, or a duration like "10m" back from now. */
  since?: number | string;
  tail?: number;
  /** Kept lines contain this text, or match it when it is a RegExp. */
  grep?: string | RegExp;
}

export function sinceSeconds(since: number | string | undefined, now = Date.now()): number | undefined {
  if (since === undefined) return undefined;
  if (typeof since === 'number') return since;
  const m = /^(\d+)(s|m|h|d)$/.exec(since);
  if (m) return Math.floor(now / 1000) - Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[m[2] as 's' | 'm' | 'h' | 'd'];
  const t = Date.parse(since);
  if (Number.isNaN(t)) throw new Error(`--since "${since}" is neither a duration (10m, 2h) nor a date`);
  return Math.floor(t / 1000);
}

export function matcher(grep: string | RegExp | undefined): (text: string) => boolean {
  if (grep === undefined || grep === '') return () => true;
  if (typeof grep === 'string') return (t) => t.includes(grep);
  return (t) => grep.test(t);
}

/**
 * The lines of one container, in order, as an async iterator. With `follow`, it ends when the
 * container stops or `signal` aborts. Reading is paced by the consumer (backpressure).
 */
export async function* containerLines(container: Docker.Container, service: string, opts: LogOptions & { tty?: boolean; signal?: AbortSignal } = {}): AsyncGenerator<LogLine> {
  const since = sinceSeconds(opts.since);
  const params = { stdout: true, stderr: true, timestamps: true, ...(opts.tail !== undefined ? { tail: opts.tail } : {}), ...(since !== undefined ? { since } : {}) };
  const keep = matcher(opts.grep);
  const splitters = { stdout: new LineSplitter(), stderr: new LineSplitter() };
  const demux = new Demuxer();
  const emit = function* (stream: 'stdout' | 'stderr', lines: string[]): Generator<LogLine> {
    for (const raw of lines) {
      const { time, text } = splitTimestamp(raw);
      if (keep(text)) yield { service, stream, time, text };
    }
  };
  const frames = (chunk: Buffer) => (opts.tty ? [{ stream: 'stdout' as const, payload: chunk }] : demux.push(chunk));
  if (!opts.follow) {
    const all = await container.logs({ ...params, follow: false });
    for (const f of frames(all)) yield* emit(f.stream, splitters[f.stream].push(f.payload));
  } else {
    const stream = (await container.logs({ ...params, follow: true })) as NodeJS.ReadableStream & { destroy: () => void };
    const abort = () => stream.destroy();
    opts.signal?.addEventListener('abort', abort, { once: true });
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        for (const f of frames(chunk)) yield* emit(f.stream, splitters[f.stream].push(f.payload));
      }
    } catch (err) {
      if (!opts.signal?.aborted) throw err;
    } finally {
      opts.signal?.removeEventListener('abort', abort);
      stream.destroy();
    }
  }
  yield* emit('stdout', splitters.stdout.end());
  yield* emit('stderr', splitters.stderr.end());
}

/** The last `n` lines of a container (both streams, in time order), for error messages. */
export async function lastLines(container: Docker.Container, n = 10): Promise<string[]> {
  const lines: LogLine[] = [];
  try {
    const info = await container.inspect();
    for await (const l of containerLines(container, '', { tail: n, tty: info.Config.Tty })) lines.push(l);
  } catch {
    return [];
  }
  return lines.sort((a, b) => a.time.localeCompare(b.time)).slice(-n).map((l) => l.text);
}

/** A bounded buffer of the newest lines of each service (what a UI keeps in memory). */
export class LogRing {
  private readonly lines = new Map<string, LogLine[]>();
  constructor(readonly perService = 5000) {}

  push(line: LogLine): void {
    let list = this.lines.get(line.service);
    if (!list) this.lines.set(line.service, (list = []));
    list.push(line);
    if (list.length > this.perService * 1.25) list.splice(0, list.length - this.perService);
  }

  get(service: string): LogLine[] {
    const list = this.lines.get(service) ?? [];
    return list.slice(-this.perService);
  }
}

/**
 * Merges several line iterators into one, taking from each as lines arrive; a slow consumer
 * slows every source (each waits until its line is taken).
 */
export async function* mergeLines(sources: AsyncIterable<LogLine>[]): AsyncGenerator<LogLine> {
  const iterators = sources.map((s) => s[Symbol.asyncIterator]());
  const pending = new Map<number, Promise<{ i: number; r: IteratorResult<LogLine> }>>();
  const next = (i: number) => pending.set(i, iterators[i]!.next().then((r) => ({ i, r })));
  iterators.forEach((_, i) => next(i));
  try {
    while (pending.size) {
      const { i, r } = await Promise.race(pending.values());
      if (r.done) {
        pending.delete(i);
        continue;
      }
      next(i);
      yield r.value;
    }
  } finally {
    await Promise.all(iterators.map(async (it) => it.return?.()));
  }
}
