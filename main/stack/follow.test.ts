import { describe, expect, it } from 'vitest';
import type { LogLine } from '../contract.js';
import { FOLLOW_RELIST_MS, followLogs, type LogSources } from './follow.js';

const line = (service: string, text: string): LogLine => ({ service, time: new Date().toISOString(), text } as LogLine);

async function* once(service: string, text: string, keepOpenMs = 0): AsyncGenerator<LogLine[]> {
  yield [line(service, text)];
  if (keepOpenMs) await new Promise((r) => setTimeout(r, keepOpenMs));
}

describe('a log follow', () => {
  it('sees a container that starts after it began, and one that restarts, but never reads one twice at a time', async () => {
    let containers: { key: string; text: string; openMs: number }[] = [{ key: 'c1', text: 'first from c1', openMs: 60_000 }];
    let asked = 0;
    const sources: LogSources = (opts) => {
      asked++;
      const list = containers.filter(() => true);
      return Promise.resolve({ services: ['api'], keys: list.map((c) => c.key), sources: list.map((c) => once('api', `${c.text}${opts.since ? ' (again)' : ''}`, c.openMs)) });
    };
    const seen: string[] = [];
    const f = await followLogs(sources, {}, (lines) => seen.push(...lines.map((l) => l.text)));
    await new Promise((r) => setTimeout(r, 200));
    expect(seen).toEqual(['first from c1']);
    containers = [...containers, { key: 'c2', text: 'from c2, started later', openMs: 0 }];
    await new Promise((r) => setTimeout(r, FOLLOW_RELIST_MS + 500));
    expect(seen).toEqual(['first from c1', 'from c2, started later (again)']); // c1 still read: not opened twice
    containers = [{ key: 'c2', text: 'c2 restarted', openMs: 60_000 }];
    await new Promise((r) => setTimeout(r, FOLLOW_RELIST_MS + 500));
    expect(seen.at(-1)).toBe('c2 restarted (again)'); // its first stream had ended: followed again
    f.stop();
    const after = asked;
    await new Promise((r) => setTimeout(r, FOLLOW_RELIST_MS + 200));
    expect(asked).toBe(after); // stopped: no more looking
  }, 15_000);
});
