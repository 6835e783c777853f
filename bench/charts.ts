// Chart redraws in Debian's Chromium: the app's Chart component with SERIES (20) × POINTS (1000)
// redrawn with new data, as the Metrics view does with setData, on the shared bench method
// (bench/lib.ts): at least seven alternating rounds, each of three windows of REDRAWS (10)
// redraws a second apart: setData, remounting the chart (a new uPlot each time: the baseline),
// and remounting again (the A/A line); a window's figure is its p95 redraw time (React render,
// effects and uPlot's draw). Prints min/median/max of each side and of the per-round ratio (target: setData p95 <
// 16 ms, one frame), the frame intervals (requestAnimationFrame) p95 while redrawing against
// the page idle, and the JS heap after a forced GC at the start and the end (target flat).
// Run: npm run bench:charts  (ROUNDS, SERIES, POINTS, REDRAWS, SPACING_MS, CHROMIUM_PATH override;
// PROFILE=1 prints where the page's CPU time went in the setData windows.)
// Found with it: the software rasterizer (headless, --disable-gpu) strokes 1.5 px lines about
// three times slower than 1 px ones, so the charts draw 1 px lines.
import type { Page } from 'playwright-core';
import { serveBundle } from '../scripts/lib/bundle-page.js';
import { launchChromium } from '../scripts/lib/chromium.js';
import { alternate, roundsFromEnv, summarize } from './lib.js';

const SERIES = Number(process.env.SERIES ?? 20);
const POINTS = Number(process.env.POINTS ?? 1000);
const REDRAWS = Number(process.env.REDRAWS ?? 10);
const ROUNDS = roundsFromEnv();
/** Between redraws: a second, five times the Metrics view's fastest refresh (5 s). */
const SPACING_MS = Number(process.env.SPACING_MS ?? 1000);

const page0 = await serveBundle('renderer/bench/chartbench.tsx', { minify: !process.env.PROFILE });
const base = page0.url;

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { p50: s[Math.floor(s.length * 0.5)] ?? 0, p95: s[Math.floor(s.length * 0.95)] ?? 0, max: s.at(-1) ?? 0, n: s.length };
};
const ms = (v: number) => `${v.toFixed(1)} ms`;

/** `count` redraws SPACING_MS apart, collecting redraw times and every frame interval meanwhile. */
async function run(page: Page, count: number, remount: boolean): Promise<{ redraws: number[]; frames: number[] }> {
  // Strings, not functions: tsx would wrap a function's names in a helper the page lacks.
  return page.evaluate<{ redraws: number[]; frames: number[] }>(`(async () => {
    const frames = [];
    let last = performance.now();
    let on = true;
    const tick = (t) => { frames.push(t - last); last = t; if (on) requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
    const redraws = [];
    for (let i = 1; i <= ${count}; i++) {
      redraws.push(await window.chartBench.redraw(i, ${remount}));
      await new Promise((r) => setTimeout(r, ${SPACING_MS}));
    }
    on = false;
    return { redraws, frames };
  })()`);
}

const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const cdp = await page.context().newCDPSession(page);
  const heap = async () => {
    await cdp.send('HeapProfiler.collectGarbage');
    return ((await cdp.send('Runtime.getHeapUsage')) as { usedSize: number }).usedSize / 2 ** 20;
  };
  await page.goto(`${base}/?series=${SERIES}&points=${POINTS}`);
  await page.waitForFunction('window.chartBench && window.chartBench.ready()');

  const idle = await page.evaluate<number[]>(`new Promise((resolve) => { const out = []; let last = performance.now(); const end = last + 3000; const t = (n) => { out.push(n - last); last = n; if (n < end) requestAnimationFrame(t); else resolve(out); }; requestAnimationFrame(t); })`);
  await run(page, 5, false); // warm: the first redraws compile the code paths
  const heapStart = await heap();
  if (process.env.PROFILE) { await cdp.send('Profiler.enable'); await cdp.send('Profiler.start'); }
  const frames: number[] = [];
  const measureWindow = async (remount: boolean) => {
    const r = await run(page, REDRAWS, remount);
    if (!remount) frames.push(...r.frames);
    return stats(r.redraws).p95;
  };
  console.log(`charts: ${SERIES} series × ${POINTS} points, windows of ${REDRAWS} redraws ${SPACING_MS} ms apart; each window's p95 redraw`);
  const r = await alternate(ROUNDS, () => measureWindow(false), () => measureWindow(true),
    (n, a, b, b2) => console.log(`round ${n}: setData p95 ${ms(a)}, remounting p95 ${ms(b)} / ${ms(b2)}`));
  if (process.env.PROFILE) {
    const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: { nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }[]; samples: number[]; timeDeltas: number[] } };
    const self = new Map<string, number>();
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    profile.samples.forEach((id, i) => { const n = byId.get(id)!; const k = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber}`; self.set(k, (self.get(k) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000); });
    console.log([...self].sort((a, b) => b[1] - a[1]).slice(0, 15).map(([k, v]) => `${v.toFixed(0)} ms ${k}`).join('\n'));
  }
  const heapEnd = await heap();
  summarize({ ours: 'setData', theirs: 'remounting', unit: 'p95 redraw ms of a window, lower is better; target: setData < 16 ms' }, r.ours, r.theirs, r.again, (x) => x.toFixed(1));
  const fi = stats(idle);
  const fm = stats(frames);
  console.log(`  frame interval p95: ${ms(fm.p95)} while redrawing with setData vs ${ms(fi.p95)} idle (ratio ${(fm.p95 / fi.p95).toFixed(2)}), worst ${ms(fm.max)}`);
  console.log(`  JS heap after GC: ${heapStart.toFixed(1)} MiB at the start, ${heapEnd.toFixed(1)} MiB after ${ROUNDS * REDRAWS * 3} redraws (growth ${(heapEnd - heapStart).toFixed(2)} MiB, ratio ${(heapEnd / heapStart).toFixed(3)}; target flat)`);
} finally {
  await browser.close();
  page0.close();
}
