// Chart redraws in Debian's Chromium: the app's Chart component with SERIES (20) × POINTS (1000)
// redrawn once a second for DURATION seconds (60), as the Metrics view does with setData. Prints:
// - redraw time p95/max (React render + effects + uPlot draw), target < 16 ms, against the
//   baseline measured first in the same run: the same redraws by remounting the chart (a new
//   uPlot each time), BASELINE seconds (15);
// - frame intervals (requestAnimationFrame) p95 during the run against the page idle;
// - JS heap after a forced GC, at the start and the end of the run, and its growth (target flat).
// Run: npm run bench:charts  (SERIES, POINTS, DURATION, BASELINE, CHROMIUM_PATH override;
// PROFILE=1 prints where the page's CPU time went.)
// Found with it: the software rasterizer (headless, --disable-gpu) strokes 1.5 px lines about
// three times slower than 1 px ones, so the charts draw 1 px lines.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import type { Page } from 'playwright-core';
import { launchChromium } from '../scripts/lib/chromium.js';

const SERIES = Number(process.env.SERIES ?? 20);
const POINTS = Number(process.env.POINTS ?? 1000);
const SECONDS = Number(process.env.DURATION ?? 60);
const BASELINE = Number(process.env.BASELINE ?? 15);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obsdeck-bench-charts-'));
await build({ entryPoints: ['renderer/bench/chartbench.tsx'], bundle: true, format: 'esm', outdir: dir, jsx: 'automatic', minify: !process.env.PROFILE, define: { 'process.env.NODE_ENV': '"production"' }, logLevel: 'error' });
fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><meta charset="utf-8"><link rel="stylesheet" href="chartbench.css"><div id="root"></div><script type="module" src="chartbench.js"></script>');
const server = http.createServer((req, res) => {
  const file = path.join(dir, path.basename(new URL(req.url ?? '/', 'http://x').pathname) || 'index.html');
  if (!fs.existsSync(file)) return void res.writeHead(404).end();
  res.writeHead(200, { 'content-type': file.endsWith('.js') ? 'text/javascript' : file.endsWith('.css') ? 'text/css' : 'text/html' }).end(fs.readFileSync(file));
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { p50: s[Math.floor(s.length * 0.5)] ?? 0, p95: s[Math.floor(s.length * 0.95)] ?? 0, max: s.at(-1) ?? 0, n: s.length };
};
const ms = (v: number) => `${v.toFixed(1)} ms`;

/** Redraws once a second for `seconds`, collecting redraw times and every frame interval meanwhile. */
async function run(page: Page, seconds: number, remount: boolean): Promise<{ redraws: number[]; frames: number[] }> {
  // Strings, not functions: tsx would wrap a function's names in a helper the page lacks.
  return page.evaluate<{ redraws: number[]; frames: number[] }>(`(async () => {
    const frames = [];
    let last = performance.now();
    let on = true;
    const tick = (t) => { frames.push(t - last); last = t; if (on) requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
    const redraws = [];
    for (let i = 1; i <= ${seconds}; i++) {
      redraws.push(await window.chartBench.redraw(i, ${remount}));
      await new Promise((r) => setTimeout(r, 1000));
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

  const idle = await run(page, 0, false).then(() => page.evaluate<number[]>(`new Promise((resolve) => { const out = []; let last = performance.now(); const end = last + 3000; const t = (n) => { out.push(n - last); last = n; if (n < end) requestAnimationFrame(t); else resolve(out); }; requestAnimationFrame(t); })`));
  const baseline = await run(page, BASELINE, true);
  const heapStart = await heap();
  if (process.env.PROFILE) { await cdp.send('Profiler.enable'); await cdp.send('Profiler.start'); }
  const measured = await run(page, SECONDS, false);
  if (process.env.PROFILE) {
    const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: { nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }[]; samples: number[]; timeDeltas: number[] } };
    const self = new Map<string, number>();
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    profile.samples.forEach((id, i) => { const n = byId.get(id)!; const k = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber}`; self.set(k, (self.get(k) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000); });
    console.log([...self].sort((a, b) => b[1] - a[1]).slice(0, 15).map(([k, v]) => `${v.toFixed(0)} ms ${k}`).join('\n'));
  }
  const heapEnd = await heap();

  const b = stats(baseline.redraws);
  const m = stats(measured.redraws);
  const fi = stats(idle);
  const fm = stats(measured.frames);
  console.log(`charts: ${SERIES} series × ${POINTS} points, redrawn once a second`);
  console.log(`  redraw, remounting (baseline, ${BASELINE} s): p50 ${ms(b.p50)}, p95 ${ms(b.p95)}, max ${ms(b.max)}`);
  console.log(`  redraw, setData (${SECONDS} s):             p50 ${ms(m.p50)}, p95 ${ms(m.p95)}, max ${ms(m.max)}  (target p95 < 16 ms)`);
  console.log(`  ratio setData / remount p95: ${(m.p95 / b.p95).toFixed(2)}`);
  console.log(`  frame interval p95: ${ms(fm.p95)} while redrawing vs ${ms(fi.p95)} idle (ratio ${(fm.p95 / fi.p95).toFixed(2)}), worst ${ms(fm.max)}`);
  console.log(`  JS heap after GC: ${heapStart.toFixed(1)} MiB at the start, ${heapEnd.toFixed(1)} MiB after ${SECONDS} redraws (growth ${(heapEnd - heapStart).toFixed(2)} MiB, ratio ${(heapEnd / heapStart).toFixed(3)}; target flat)`);
} finally {
  await browser.close();
  server.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
