import { describe, expect, it } from 'vitest';
import { historyCsv } from './csv';

describe('the alert history as CSV', () => {
  it('writes a row an alert, quoting what needs it, and leaves an open one\'s end empty', () => {
    const T = Date.parse('2026-12-02T10:00:00Z');
    expect(historyCsv([
      { alertname: 'HighLatency', labels: { alertname: 'HighLatency', job: 'api' }, firedAt: T, resolvedAt: T + 300_000, sources: ['webhook'] },
      { alertname: 'Odd', labels: { note: 'a, "b"' }, firedAt: T, sources: ['prometheus'] },
    ])).toBe('alertname,labels,fired_at,resolved_at,firing_seconds\nHighLatency,job=api,2026-12-02T10:00:00.000Z,2026-12-02T10:05:00.000Z,300\nOdd,"note=a, ""b""",2026-12-02T10:00:00.000Z,,\n');
  });
});
