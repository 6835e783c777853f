import { describe, expect, it } from 'vitest';
import type uPlot from 'uplot';
import { drawLines } from './chartLines';

/** A context that records what is drawn. */
function recorder() {
  const calls: string[] = [];
  const props: Record<string, unknown> = {};
  const ctx = new Proxy(props, {
    get: (t, k: string) => (k in t ? t[k] : (...a: number[]) => calls.push(`${k}(${a.join(',')})`)),
    set: (t, k: string, v: unknown) => {
      t[k] = v;
      if (k === 'strokeStyle') calls.push(`colour ${String(v)}`);
      return true;
    },
  });
  return { calls, ctx };
}

const plot = (data: (number | null)[][], show = [true, true, true], ratio = 1, x = { min: 0, max: 100 }) => {
  const { calls, ctx } = recorder();
  const u = {
    ctx,
    data,
    bbox: { left: 10, top: 0, width: 100, height: 50 },
    scales: { x, y: { min: 0, max: 10 } },
    series: [{}, { show: show[1], stroke: '#0969da', width: 1, scale: 'y' }, { show: show[2], stroke: () => '#cf222e', width: 1, scale: 'y' }],
  } as unknown as uPlot;
  drawLines(u, ratio);
  return calls;
};

describe('the charts\' lines', () => {
  it('draws each series as one stroke through its points, y up, on pixel centres, inside the plot area', () => {
    const calls = plot([[0, 50, 100], [0, 5, 10], [10, 10, 10]]);
    expect(calls).toEqual([
      'save()', 'beginPath()', 'rect(10,0,100,50)', 'clip()',
      'beginPath()', 'moveTo(10.5,50.5)', 'lineTo(60.5,25.5)', 'lineTo(110.5,0.5)', 'colour #0969da', 'stroke()',
      'beginPath()', 'moveTo(10.5,0.5)', 'lineTo(60.5,0.5)', 'lineTo(110.5,0.5)', 'colour #cf222e', 'stroke()',
      'restore()',
    ]);
  });

  it('draws a 2-pixel line on a high-density screen on pixel edges', () => {
    const calls = plot([[0, 100], [0, 10], [0, 0]], [true, true, false], 2);
    expect(calls.filter((c) => /^(moveTo|lineTo|lineWidth)/.test(c))).toEqual(['moveTo(10,50)', 'lineTo(110,0)']);
  });

  it('lifts the pen over a gap (null) instead of joining across it, and skips a hidden series', () => {
    const calls = plot([[0, 25, 50, 75, 100], [1, 2, null, 4, 5], [1, 1, 1, 1, 1]], [true, true, false]);
    expect(calls.filter((c) => /^(moveTo|lineTo|colour)/.test(c)).map((c) => c.replace(/\(.*/, ''))).toEqual(['moveTo', 'lineTo', 'moveTo', 'lineTo', 'colour #0969da']);
  });

  it('draws nothing without data or with an empty x range', () => {
    expect(plot([[], [], []])).toEqual([]);
    expect(plot([[5], [1], [2]], undefined, 1, { min: 5, max: 5 })).toEqual([]);
  });
});
