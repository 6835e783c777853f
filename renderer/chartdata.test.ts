import { describe, expect, it } from 'vitest';
import { align, seriesLabel } from './chartdata';

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
