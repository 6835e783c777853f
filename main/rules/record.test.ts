// The parts of "Record as test" that decide what the test holds: which raw series a rule reads
// (through recording rules) and how far back, promtool's notation, and when to expect what.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readRuleFile } from './files.js';
import { expectationTimes, gotAnnotations, rawInputs, seriesText, valuesText } from './record.js';

const shipped = readRuleFile(fs.readFileSync('observability/prometheus_rules.yml', 'utf8'));
const recorded = new Map(shipped.flatMap((g) => g.rules.filter((r) => r.kind === 'record').map((r) => [r.name, r.expr] as const)));

describe('recording a rule test', () => {
  it('follows a rule through recording rules down to the raw series, with the ranges it needs', () => {
    expect(rawInputs('job:http_errors:ratio_rate5m > 0.05', recorded)).toEqual({ selectors: ['http_requests_total', 'http_requests_total{status=~"5.."}'], backMs: 300_000 });
    expect(rawInputs('sum by (job) (increase(security_events_total{event_type="refresh_reuse"}[5m])) > 0', recorded)).toEqual({ selectors: ['security_events_total{event_type="refresh_reuse"}'], backMs: 300_000 });
    // A range over a recorded series needs its own range more.
    expect(rawInputs('max_over_time(job:http_requests:rate5m[10m]) > 1', recorded).backMs).toBe(900_000);
    expect(rawInputs('jwt_active_tokens == 0', recorded)).toEqual({ selectors: ['jwt_active_tokens'], backMs: 0 });
  });

  it('writes series and values as promtool reads them', () => {
    expect(seriesText({ __name__: 'security_events_total', job: 'poc3-security', event_type: 'refresh_reuse' })).toBe('security_events_total{event_type="refresh_reuse", job="poc3-security"}');
    expect(valuesText([0, 15, 30, 45], new Map([[0, 1], [15, 2.5], [45, Infinity]]))).toBe('1 2.5 _ Inf');
  });

  it('expects the rule in the middle of each firing and of the longest quiet stretch, never on an edge', () => {
    const I = 15_000;
    const from = 0;
    const to = 60 * I;
    const times = expectationTimes([{ labels: { alertname: 'A' }, pendingFrom: 20 * I, firingFrom: 24 * I, resolvedAt: 34 * I }], from, to, I);
    expect(times).toEqual([29 * I, 47 * I]);
    expect(expectationTimes([], from, to, I)).toEqual([30 * I]);
  });

  it('reads the annotations promtool says it got', () => {
    const words = 'alertname: A, time: 5m,\n        exp:[\n            0:\n              Labels:{alertname="A"}\n              Annotations:{}\n            ],\n        got:[\n            0:\n              Labels:{alertname="A", job="x"}\n              Annotations:{description="1.5 \\"req\\"/s", summary="Many"}\n            ]';
    expect(gotAnnotations(words)).toEqual([{ description: '1.5 "req"/s', summary: 'Many' }]);
  });
});
