import { describe, expect, it } from 'vitest';
import { LineSplitter, LogDecoder, LogRing, MAX_LINE, matcher, mergeBatches, sinceSeconds, type LogLine } from './logs.js';

const frame = (stream: 1 | 2, text: string) => frameBytes(stream, Buffer.from(text));
const frameBytes = (stream: 1 | 2, payload: Buffer) => {
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
};

const stamp = '2026-11-24T23:00:00.123456789Z';
const decodeAll = (d: LogDecoder, chunks: Buffer[]) => [...chunks.flatMap((c) => d.push(c)), ...d.end()].map((l) => `${l.stream}|${l.time}|${l.text}`);

describe('LogDecoder', () => {
  it('reads frames split anywhere, headers included, into each stream\'s lines with their timestamps', () => {
    const all = Buffer.concat([frame(1, `${stamp} out one\n`), frame(2, `${stamp} err one\n`), frame(1, `${stamp} out two\r\n`)]);
    for (let cut = 1; cut < all.length; cut++) {
      const got = decodeAll(new LogDecoder('api'), [all.subarray(0, cut), all.subarray(cut)]);
      expect(got, `cut at ${cut}`).toEqual([`stdout|${stamp}|out one`, `stderr|${stamp}|err one`, `stdout|${stamp}|out two`]);
    }
  });

  it('joins a line Docker split over frames (a long one, a character cut in two) and keeps the streams apart', () => {
    const text = `${stamp} first — line ✓ `.repeat(3);
    const bytes = Buffer.from(`${text}\n`);
    for (let cut = 1; cut < bytes.length - 1; cut++) {
      const chunk = Buffer.concat([frame(1, ''), frame(2, `${stamp} between\n`)]);
      const got = decodeAll(new LogDecoder('api'), [Buffer.concat([frameBytes(1, bytes.subarray(0, cut)), chunk, frameBytes(1, bytes.subarray(cut))])]);
      expect(got, `cut at ${cut}`).toEqual([`stderr|${stamp}|between`, `stdout|${stamp}|${text.slice(stamp.length + 1)}`]);
    }
  });

  it('reads a TTY\'s bytes as they are (no frames), an unstamped line and a last line without a newline', () => {
    const d = new LogDecoder('api', undefined, true);
    expect(decodeAll(d, [Buffer.from(`no stamp\n${stamp} `), Buffer.from('stamped\nlast')])).toEqual(['stdout||no stamp', `stdout|${stamp}|stamped`, 'stdout||last']);
  });

  it('drops the lines its filter refuses, matching the text after the timestamp', () => {
    const d = new LogDecoder('api', matcher(/^level=(warn|error)/));
    expect(decodeAll(d, [Buffer.concat([frame(1, `${stamp} level=info x\n`), frame(1, `${stamp} level=warn y\n`)])])).toEqual([`stdout|${stamp}|level=warn y`]);
  });

  it('cuts a line that never ends instead of growing without bound', () => {
    const d = new LogDecoder('api');
    const out = [];
    for (let i = 0; i < 10; i++) out.push(...d.push(frame(1, 'x'.repeat(MAX_LINE / 2))));
    expect(out.length).toBeGreaterThanOrEqual(4);
    expect(out.every((l) => l.text.length <= MAX_LINE)).toBe(true);
    const long = d.push(frame(1, `${'y'.repeat(MAX_LINE + 10)}\n`));
    expect(long.every((l) => l.text.length <= MAX_LINE)).toBe(true);
  });
});

describe('LineSplitter', () => {
  it('joins a line split across chunks, a multi-byte character included, and drops \\r', () => {
    const bytes = Buffer.from('first line\r\nsecond — line ✓\nthird');
    for (let cut = 1; cut < bytes.length; cut++) {
      const s = new LineSplitter();
      const lines: string[] = [];
      const each = (l: string) => lines.push(l);
      s.push(bytes.subarray(0, cut), each);
      s.push(bytes.subarray(cut), each);
      s.end(each);
      expect(lines, `cut at ${cut}`).toEqual(['first line', 'second — line ✓', 'third']);
    }
  });

  it('reads whole lines one chunk each as it reads them split, \\r and an empty line included', () => {
    const s = new LineSplitter();
    const lines: string[] = [];
    for (const l of ['one ✓\n', 'two\r\n', '\n', '\r\n', 'thr', 'ee\n', 'four\n']) s.push(Buffer.from(l), (x) => lines.push(x));
    expect(lines).toEqual(['one ✓', 'two', '', '', 'three', 'four']);
  });
});

describe('helpers', () => {
  it('reads --since as a duration or a date, and refuses anything else', () => {
    const now = Date.parse('2026-11-24T12:00:00Z');
    expect(sinceSeconds('10m', now)).toBe(now / 1000 - 600);
    expect(sinceSeconds('2026-11-24T11:00:00Z', now)).toBe(now / 1000 - 3600);
    expect(() => sinceSeconds('yesterday', now)).toThrow('--since "yesterday" is neither a duration');
  });

  it('filters by text or regex', () => {
    expect(matcher('err')('an error')).toBe(true);
    expect(matcher(/^level=(warn|error)/)('level=info x')).toBe(false);
    expect(matcher(undefined)('anything')).toBe(true);
  });

  it('keeps a bounded number of lines per service', () => {
    const ring = new LogRing(100);
    for (let i = 0; i < 1000; i++) ring.push({ service: 'a', stream: 'stdout', time: '', text: String(i) });
    expect(ring.get('a')).toHaveLength(100);
    expect(ring.get('a').at(-1)?.text).toBe('999');
    expect(ring.get('b')).toEqual([]);
  });

  it('merges several sources as their lines arrive', async () => {
    async function* source(service: string, delays: number[]): AsyncGenerator<LogLine[]> {
      for (const [i, d] of delays.entries()) {
        await new Promise((r) => setTimeout(r, d));
        yield [{ service, stream: 'stdout', time: '', text: `${service}${i}` }];
      }
    }
    const got: string[] = [];
    for await (const batch of mergeBatches([source('a', [5, 40]), source('b', [20, 5])])) got.push(...batch.map((l) => l.text));
    expect(got).toEqual(['a0', 'b0', 'b1', 'a1']);
  });
});
