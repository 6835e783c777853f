// One chart component for every panel: uPlot, created once per chart; new data goes to the
// existing plot with setData (no rebuild), a resize only resizes. The legend toggles series.
// uPlot lays out the scales, axes, legend and cursor; the lines are drawn by chartLines.ts, which
// halves a redraw of the Metrics view's largest charts (bench:charts).
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { ChartData } from '../lib/chartdata';
import { formatValue, type Unit } from '../lib/units';
import { drawLines, noPaths } from './chartLines';

const COLOURS = ['#0969da', '#cf222e', '#1a7f37', '#8250df', '#9a6700', '#bf3989', '#1b7c83', '#6e7781'];

export function Chart({ data, unit, height = 180 }: { data: ChartData; unit: Unit; height?: number }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | undefined>(undefined);
  const window = useRef(data.window);
  window.current = data.window;
  const shape = data.series.map((s) => s.label).join('\u0000');

  // (Re)create only when the set of series changes; otherwise setData below.
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const opts: uPlot.Options = {
      width: el.clientWidth || 500,
      height,
      // The x axis spans the chosen range, so one or two points do not stretch over years.
      scales: { x: { time: true, range: (_u, min, max) => window.current ?? [min, max] } },
      axes: [{}, { values: (_u, ticks) => ticks.map((t) => formatValue(t, unit)), size: 70 }],
      series: [{}, ...data.series.map((s, i) => ({ label: s.label, stroke: COLOURS[i % COLOURS.length], width: 1, spanGaps: false, paths: noPaths, points: { show: data.times.length < 30 }, value: (_u: uPlot, v: number | null) => formatValue(v, unit) }))],
      legend: { live: true },
      cursor: { drag: { x: true, y: false } },
      hooks: { draw: [(u) => drawLines(u)] },
    };
    plot.current = new uPlot(opts, [data.times, ...data.series.map((s) => s.values)] as uPlot.AlignedData, el);
    const observer = new ResizeObserver(() => plot.current?.setSize({ width: el.clientWidth, height }));
    observer.observe(el);
    return () => {
      observer.disconnect();
      plot.current?.destroy();
      plot.current = undefined;
    };
    // The data's shape (its series) decides a rebuild; values arrive through setData.
  }, [shape, unit, height]);

  useEffect(() => {
    plot.current?.setData([data.times, ...data.series.map((s) => s.values)] as uPlot.AlignedData);
  }, [data]);

  return <div ref={box} className="chart" data-series={data.series.length} data-points={data.times.length} />;
}
