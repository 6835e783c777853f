import { describe, expect, it } from 'vitest';
import { parseDuration, readRuleFile, ruleAt } from './files.js';
import { inlineRecorded, selectedNames, splitThreshold } from './promql-edit.js';

describe('a rule\'s PromQL, edited for a backtest', () => {
  it('splits the expression at its final comparison, and at nothing else', () => {
    expect(splitThreshold('job:http_errors:ratio_rate5m > 0.05')).toEqual({ left: 'job:http_errors:ratio_rate5m', op: '>', value: 0.05 });
    expect(splitThreshold('sum by (job) (rate(x{a="b"}[5m])) >= 10')).toEqual({ left: 'sum by (job) (rate(x{a="b"}[5m]))', op: '>=', value: 10 });
    expect(splitThreshold('jwt_active_tokens == 0')).toEqual({ left: 'jwt_active_tokens', op: '==', value: 0 });
    expect(splitThreshold('a > b')).toBeUndefined();
    expect(splitThreshold('rate(x[5m])')).toBeUndefined();
  });

  it('puts a draft\'s recording rules in place of their series, following one that reads another', () => {
    const rec = new Map([['job:errors:rate5m', 'sum by (job) (rate(e[5m]))'], ['job:ratio', 'job:errors:rate5m / job:total']]);
    expect(inlineRecorded('job:ratio > 0.1', rec, 15_000)).toEqual({ expr: '((sum by (job) (rate(e[5m]))) / job:total) > 0.1', inlined: ['job:errors:rate5m', 'job:ratio'], kept: [] });
    expect(inlineRecorded('max_over_time(job:errors:rate5m[10m]) > 1', rec, 15_000).expr).toBe('max_over_time((sum by (job) (rate(e[5m])))[10m:15s]) > 1');
    expect(inlineRecorded('job:ratio{job="api"} > 0.1', rec, 15_000)).toEqual({ expr: 'job:ratio{job="api"} > 0.1', inlined: [], kept: ['job:ratio'] });
    expect(selectedNames('sum(rate(a[5m])) / b{x="1"}')).toEqual(['a', 'b']);
  });

  it('reads groups, rules, durations and the rule under a cursor', () => {
    const text = 'groups:\n  - name: g\n    interval: 30s\n    rules:\n      - alert: A\n        expr: up == 0\n        for: 1m30s\n        keep_firing_for: 5m\n        labels: { severity: page }\n      - record: r\n        expr: sum(up)\n';
    const groups = readRuleFile(text);
    expect(groups).toMatchObject([{ name: 'g', intervalMs: 30_000, rules: [{ kind: 'alert', name: 'A', expr: 'up == 0', forMs: 90_000, keepFiringForMs: 300_000, labels: { severity: 'page' }, line: 5 }, { kind: 'record', name: 'r', line: 10 }] }]);
    expect(ruleAt(groups, text.indexOf('sum(up)'))?.rule.name).toBe('r');
    expect(ruleAt(groups, text.indexOf('for: 1m30s'))?.rule.name).toBe('A');
    expect(parseDuration('500ms')).toBe(500);
    expect(() => parseDuration('5 minutes')).toThrow('"5 minutes" is not a duration (such as 30s, 5m, 1h30m)');
    expect(() => readRuleFile('groups:\n  - name: [')).toThrow(/^prometheus_rules\.yml:2:/);
  });
});
