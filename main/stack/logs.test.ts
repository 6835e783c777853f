import { describe, expect, it } from 'vitest';
import { Demuxer, LineSplitter, LogRing, MAX_LINE, matcher, mergeLines, sinceSeconds, splitTimestamp, type LogLine } from './logs.js';

const frame = (stream: 1 | 2, text: string) => {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
};

describe('Demuxer', () => {
  it('reads frames split anywhere, headers included', () => {
    const all = Buffer.concat([frame(1, 'out one\n'), frame(2, 'err one\n'), frame(1, 'out two\n')]);
    for (let cut = 1; cut < all.length; cut++) {
      const d = new Demuxer();
      const got = [...d.push(all.subarray(0, cut)), ...d.push(all.subarray(cut))];
      expect(got.map((f) => `${f.stream}:${f.payload.toString()}`), `cut at ${cut}`).toEqual(['stdout:out one\n', 'stderr:err one\n', 'stdout:out two\n']);
    }
  });
});

describe('LineSplitter', () => {
  it('joins a line split across chunks, a multi-byte character included, and drops \\r', () => {
    const bytes = Buffer.from('first line\r\nsecond — line ✓\nthird');
    for (let cut = 1; cut < bytes.length; cut++) {
      const s = new LineSplitter();
      const lines = [...s.push(bytes.subarray(0, cut)), ...s.push(bytes.subarray(cut)), ...s.end()];
      expect(lines, `cut at ${cut}`).toEqual(['first line', 'second — line ✓', 'third']);
    }
  });

  it('cuts a line that never ends instead of growing without bound', () => {
    const s = new LineSplitter();
    const out: string[] = [];
    for (let i = 0; i < 10; i++) out.push(...s.push(Buffer.alloc(MAX_LINE / 2, 'x')));
    expect(out.length).toBeGreaterThanOrEqual(4);
    expect(out.every((l) => l.length <= MAX_LINE)).toBe(true);
  });
});

describe('helpers', () => {
  it('splits Docker timestamps off lines', () => {
    expect(splitTimestamp('2026-11-24T23:00:00.123456789Z msg with spaces')).toEqual({ time: '2026-11-24T23:00:00.123456789Z', text: 'msg with spaces' });
    expect(splitTimestamp('no time here')).toEqual({ time: '', text: 'no time here' });
  });

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
    async function* source(service: string, delays: number[]): AsyncGenerator<LogLine> {
      for (const [i, d] of delays.entries()) {
        await new Promise((r) => setTimeout(r, d));
        yield { service, stream: 'stdout', time: '', text: `${service}${i}` };
      }
    }
    const got: string[] = [];
    for await (const l of mergeLines([source('a', [5, 40]), source('b', [20, 5])])) got.push(l.text);
    expect(got).toEqual(['a0', 'b0', 'b1', 'a1']);
  });
});
