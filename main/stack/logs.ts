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

/**
 * Splits text arriving in arbitrary chunks into lines (\n or \r\n), keeping the partial tail.
 * Docker sends a followed log a line per frame, so the common chunk is one whole line: that one
 * is decoded straight from its bytes, without the streaming decoder, the tail or a split.
 */
export class LineSplitter {
  private tail = '';
  /** True when everything pushed so far ended at a newline: no partial line or character is held. */
  private clean = true;
  private readonly decoder = new TextDecoder('utf-8');

  push(chunk: Uint8Array, each: (line: string) => void): void {
    const n = chunk.length;
    if (this.clean && n > 0 && n <= MAX_LINE && chunk[n - 1] === 10 && chunk.indexOf(10) === n - 1) {
      each(Buffer.from(chunk.buffer, chunk.byteOffset, n).toString('utf8', 0, n > 1 && chunk[n - 2] === 13 ? n - 2 : n - 1));
      return;
    }
    const text = this.tail + this.decoder.decode(chunk, { stream: true });
    const parts = text.split('\n');
    this.tail = parts.pop() ?? '';
    while (this.tail.length > MAX_LINE) {
      parts.push(this.tail.slice(0, MAX_LINE));
      this.tail = this.tail.slice(MAX_LINE);
    }
    // A chunk that ends with a newline leaves nothing behind, not even part of a character.
    this.clean = n > 0 ? chunk[n - 1] === 10 : this.clean && this.tail === '';
    for (const l of parts) each((l.endsWith('\r') ? l.slice(0, -1) : l).slice(0, MAX_LINE));
  }

  /** The last line when the stream ends without a newline. */
  end(each: (line: string) => void): void {
    const rest = this.tail + this.decoder.decode();
    this.tail = '';
    this.clean = true;
    if (rest) each(rest.slice(0, MAX_LINE));
  }
}

/**
 * A container's log bytes to its lines: Docker's multiplexed frames ([stream, 0, 0, 0,
 * size(4, big-endian)] + payload; none when the container has a TTY) read across chunk
 * boundaries, split into stdout's and stderr's lines, each with the timestamp Docker recorded,
 * and the ones `keep` refuses dropped. Nothing more is read of a line here: its structure
 * (level, fields) is parsed where it is shown or filtered.
 */
export class LogDecoder {
  private pending: Buffer | undefined;
  private out: LogLine[] = [];
  private readonly stdout: LineSplitter = new LineSplitter();
  private readonly stderr: LineSplitter = new LineSplitter();
  private readonly onStdout = (raw: string) => this.take('stdout', raw);
  private readonly onStderr = (raw: string) => this.take('stderr', raw);

  constructor(private readonly service: string, private readonly keep: (text: string) => boolean = () => true, private readonly tty = false) {}

  /** The lines completed by `chunk`. */
  push(chunk: Buffer): LogLine[] {
    this.out = [];
    if (this.tty) {
      this.stdout.push(chunk, this.onStdout);
      return this.out;
    }
    const buf = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    let at = 0;
    while (buf.length - at >= 8) {
      const size = buf.readUInt32BE(at + 4);
      if (buf.length - at < 8 + size) break;
      const payload = buf.subarray(at + 8, at + 8 + size);
      if (buf[at] === 2) this.stderr.push(payload, this.onStderr);
      else this.stdout.push(payload, this.onStdout);
      at += 8 + size;
    }
    this.pending = at < buf.length ? buf.subarray(at) : undefined;
    return this.out;
  }

  /** The lines left when the stream ends (a last line without a newline). */
  end(): LogLine[] {
    this.out = [];
    this.stdout.end(this.onStdout);
    this.stderr.end(this.onStderr);
    return this.out;
  }

  private take(stream: 'stdout' | 'stderr', raw: string): void {
    const space = raw.indexOf(' ');
    // Docker's RFC 3339 stamp: 2026-11-24T23:00:00.123456789Z
    const stamped = space > 0 && /^\d{4}-\d\d-\d\dT/.test(raw);
    const text = stamped ? raw.slice(space + 1) : raw;
    if (this.keep(text)) this.out.push({ service: this.service, stream, time: stamped ? raw.slice(0, space) : '', text });
  }
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
 * The lines of one container, in order, in batches: each batch what one read from the engine
 * completed (a followed log arrives a line per frame, and a consumer that took each line on its
 * own would spend more on the taking than on the lines). With `follow`, it ends when the
 * container stops or `signal` aborts. Reading is paced by the consumer (backpressure).
 */
export async function* containerBatches(container: Docker.Container, service: string, opts: LogOptions & { tty?: boolean; signal?: AbortSignal } = {}): AsyncGenerator<LogLine[]> {
  const since = sinceSeconds(opts.since);
  const params = { stdout: true, stderr: true, timestamps: true, ...(opts.tail !== undefined ? { tail: opts.tail } : {}), ...(since !== undefined ? { since } : {}) };
  const decoder = new LogDecoder(service, matcher(opts.grep), opts.tty);
  if (!opts.follow) {
    const all = decoder.push(await container.logs({ ...params, follow: false }));
    if (all.length) yield all;
  } else {
    const stream = (await container.logs({ ...params, follow: true })) as NodeJS.ReadableStream & { destroy: () => void };
    const abort = () => stream.destroy();
    opts.signal?.addEventListener('abort', abort, { once: true });
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        const lines = decoder.push(chunk);
        if (lines.length) yield lines;
      }
    } catch (err) {
      if (!opts.signal?.aborted) throw err;
    } finally {
      opts.signal?.removeEventListener('abort', abort);
      stream.destroy();
    }
  }
  const rest = decoder.end();
  if (rest.length) yield rest;
}

/** The lines of one container one by one (see containerBatches), for readers of a few lines. */
export async function* containerLines(container: Docker.Container, service: string, opts: LogOptions & { tty?: boolean; signal?: AbortSignal } = {}): AsyncGenerator<LogLine> {
  for await (const batch of containerBatches(container, service, opts)) yield* batch;
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
 * Merges several sources of batches into one, taking from each as its batches arrive; a slow
 * consumer slows every source (each waits until its batch is taken).
 */
export async function* mergeBatches<T>(sources: AsyncIterable<T>[]): AsyncGenerator<T> {
  const iterators = sources.map((s) => s[Symbol.asyncIterator]());
  const pending = new Map<number, Promise<{ i: number; r: IteratorResult<T> }>>();
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
