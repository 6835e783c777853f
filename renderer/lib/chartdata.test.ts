import { describe, expect, it } from 'vitest';
import { align, seriesLabel } from './chartdata';
import { customWindow, localInput } from './timerange';

describe('align', () => {
  it('puts every series on one time axis, with gaps as null', () => {
    const data = align([
      { result: { expr: 'a', series: [{ labels: { endpoint: '/x' }, points: [[10, 1], [20, 2]] }] }, legend: '{{endpoint}}' },
      { result: { expr: 'b', series: [{ labels: { __name__: 'up', job: 'j' }, points: [[20, 5], [30, Number.NaN]] }] } },
    ]);
    expect(data.times).toEqual([10, 20, 30]);
    expect(data.series).toEqual([
      { label: '/x', values: [1, 2, null] },
      { label: 'up{job="j"}', values: [null, 5, null] },
    ]);
  });

  it('labels a series by template or by its labels', () => {
    expect(seriesLabel({ method: 'GET', endpoint: '/c' }, '{{method}} {{endpoint}}')).toBe('GET /c');
    expect(seriesLabel({})).toBe('value');
  });
});

describe('a custom time range', () => {
  it('takes a start before an end, at most 24 h apart', () => {
    const from = localInput(Date.UTC(2026, 10, 25, 8, 0));
    const to = localInput(Date.UTC(2026, 10, 25, 9, 30));
    const w = customWindow(from, to).window!;
    expect(w[1] - w[0]).toBe(5400);
    expect(customWindow(to, from).error).toBe('the range must end after it starts');
    expect(customWindow(from, localInput(Date.UTC(2026, 10, 27, 8, 0))).error).toBe('a range can span at most 24 hours');
    expect(customWindow(undefined, to).error).toBe('choose when the range starts and ends');
  });
});
