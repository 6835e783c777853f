import { describe, expect, it } from 'vitest';
import { changedRecordings, comparable, evaluationTimes, globalEvaluationInterval } from './backtest.js';
import { parseWhen, readRuleFile } from './files.js';

describe('a backtest\'s evaluations', () => {
  it('fall on the group\'s phase, from the first at or after the start to the last at or before the end', () => {
    expect(evaluationTimes(100_000, 160_000, 15_000, 2_805)).toEqual([107_805, 122_805, 137_805, 152_805]);
    expect(evaluationTimes(107_805, 107_805, 15_000, 2_805)).toEqual([107_805]);
  });

  it('are not held to ALERTS from a restart until its third evaluation (Prometheus writes none before it restores)', () => {
    const e = evaluationTimes(0, 150_000, 15_000, 0);
    expect(comparable(e, [40_000], 15_000)).toEqual([0, 15_000, 90_000, 105_000, 120_000, 135_000, 150_000]);
    expect(comparable(e, [], 15_000)).toEqual(e);
  });

  it('inline only the recording rules a draft changed or added', () => {
    const applied = readRuleFile('groups:\n  - name: g\n    rules:\n      - record: a\n        expr: sum(x)\n      - record: b\n        expr: sum(y)\n');
    const draft = readRuleFile('groups:\n  - name: g\n    rules:\n      - record: a\n        expr: |\n          sum(x)\n      - record: b\n        expr: sum(y) * 2\n      - record: c\n        expr: sum(z)\n');
    expect([...changedRecordings(draft, applied)]).toEqual([['b', 'sum(y) * 2'], ['c', 'sum(z)']]);
  });

  it('read the global evaluation interval, and Prometheus\' default without one', () => {
    expect(globalEvaluationInterval('global:\n  evaluation_interval: 15s\n')).toBe(15_000);
    expect(globalEvaluationInterval('scrape_configs: []\n')).toBe(60_000);
  });

  it('take the CLI\'s times: now, a duration back, RFC 3339 and Unix seconds', () => {
    const now = Date.parse('2026-12-02T12:00:00Z');
    expect(parseWhen('now', now)).toBe(now);
    expect(parseWhen('6h', now)).toBe(now - 21_600_000);
    expect(parseWhen('-90m', now)).toBe(now - 5_400_000);
    expect(parseWhen('2026-12-02T10:00:00Z', now)).toBe(Date.parse('2026-12-02T10:00:00Z'));
    expect(parseWhen('1796170000', now)).toBe(1_796_170_000_000);
    expect(() => parseWhen('yesterday', now)).toThrow('"yesterday" is not a time');
  });
});
