// The page bench/charts.ts (and test/e2e/chart.test.ts) loads: the app's Chart component fed SERIES × POINTS of synthetic data
// once a second, either through the component as the app does it (setData on the existing plot)
// or, as the baseline, by remounting it (a new uPlot each time). Each redraw is timed from the
// state change until React has rendered, run its effects and uPlot has drawn.
import { useState } from 'react';
import { createRoot } from 'react-dom/client';
import { flushSync } from 'react-dom';
import { Chart } from '../components/Chart';
import type { ChartData } from '../lib/chartdata';

const params = new URLSearchParams(location.search);
const SERIES = Number(params.get('series') ?? 20);
const POINTS = Number(params.get('points') ?? 1000);
/** `gap=a-b`: the first series has no points from index a to b (test/e2e/chart.test.ts). */
const GAP = (params.get('gap') ?? '').split('-').map(Number);

function dataAt(tick: number): ChartData {
  const end = 1_700_000_000 + tick * 15;
  const times = Array.from({ length: POINTS }, (_, i) => end - (POINTS - 1 - i) * 15);
  return {
    times,
    series: Array.from({ length: SERIES }, (_, s) => ({
      label: `series ${s}`,
      values: times.map((t, i) => (s === 0 && i >= GAP[0]! && i <= GAP[1]! ? null : Math.sin((t / 900) + s) * 10 + s * 3 + ((i * 7919 + tick) % 13) / 13)),
    })),
    window: [times[0]!, times.at(-1)!],
  };
}

let update: (data: ChartData, remount: boolean) => void = () => undefined;

function Bench() {
  const [state, setState] = useState({ data: dataAt(0), key: 0 });
  update = (data, remount) => setState((s) => ({ data, key: remount ? s.key + 1 : s.key }));
  return <div style={{ width: 1200 }}><Chart key={state.key} data={state.data} unit="short" height={400} /></div>;
}

/** Resolves after every task queued so far (React's scheduler posts its work the same way). */
const afterTasks = () => new Promise<void>((resolve) => {
  const ch = new MessageChannel();
  ch.port1.onmessage = () => resolve();
  ch.port2.postMessage(null);
});

/** One redraw, timed: the state change, React's render and effects, uPlot's draw. */
async function redraw(tick: number, remount: boolean): Promise<number> {
  const next = dataAt(tick); // the new data, as the app has it from the Node side before drawing
  const t0 = performance.now();
  flushSync(() => update(next, remount));
  await afterTasks();
  return performance.now() - t0;
}

createRoot(document.getElementById('root')!).render(<Bench />);
(window as unknown as { chartBench: unknown }).chartBench = { redraw, ready: () => document.querySelector('.chart canvas') !== null };
