// The UI under load, in Debian's Chromium through `obsdeck serve` on the real engine, on the
// shared bench method (bench/lib.ts: at least seven alternating rounds of three windows, min/
// median/max of each side and of the per-round ratio, an A/A line):
// 1. The Logs view following a service that logs RATE lines/s (default 10k), against the same
//    view filtered to nothing (idle), windows of SECONDS (5) each; a window's figure is its p95
//    frame time (requestAnimationFrame). Target: p95 < 50 ms. And the page's JS heap at the end.
// 2. The serve process with the stack up and the Stack view open, against no page open
//    (about:blank), windows of IDLE seconds (5): its CPU in % of a core. Target: < 2%.
// Run: npm run bench:ui  (ROUNDS, RATE, SECONDS, IDLE, NODE_IMAGE, CHROMIUM_PATH override.)
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium } from '../scripts/lib/chromium.js';
import { alternate, median, roundsFromEnv, summarize } from './lib.js';

const ROUNDS = roundsFromEnv();
const SECONDS = Number(process.env.SECONDS ?? 5);
const IDLE = Number(process.env.IDLE ?? 5);
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'obsdeck-bench-ui-'));
const env = { ...process.env, OBSDECK_HOME: home, OBSDECK_PROJECT: 'obsdeck-bench-ui', OBSDECK_COMPOSE_FILE: path.resolve('bench', 'fixtures', 'chatty.yml') };

const child = spawn(process.execPath, ['bin/obsdeck.js', 'serve'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise<string>((resolve) => child.stdout.on('data', (d: Buffer) => {
  const m = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(d.toString());
  if (m) resolve(m[1]!);
}));

/** CPU seconds (user + system) and RSS of a process, from /proc. */
function usage(pid: number): { cpu: number; rss: number } {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const tick = 100; // USER_HZ on Linux
  return { cpu: (Number(stat[11]) + Number(stat[12])) / tick, rss: Number(stat[21]) * 4096 };
}

async function frames(page: Page, seconds: number): Promise<{ p95: number; max: number; count: number }> {
  // A string, not a function: tsx would wrap a function's names in a helper the page lacks.
  const deltas = await page.evaluate<number[]>(`new Promise((resolve) => {
    const out = [];
    let last = performance.now();
    const end = last + ${seconds * 1000};
    const tick = (t) => { out.push(t - last); last = t; if (t < end) requestAnimationFrame(tick); else resolve(out); };
    requestAnimationFrame(tick);
  })`);
  const sorted = [...deltas].sort((a, b) => a - b);
  return { p95: sorted[Math.floor(sorted.length * 0.95)] ?? 0, max: sorted.at(-1) ?? 0, count: deltas.length };
}

const browser = await launchChromium();
try {
  const before = usage(child.pid!);
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(url);
  await page.getByRole('button', { name: 'Start', exact: true }).first().click();
  await page.locator('[aria-label="service chatty"][data-state=running]').waitFor({ timeout: 60_000 });

  // The Logs view following the service; idle is the same view with a filter nothing matches
  // (the lines still arrive; nothing renders).
  await page.goto(url.replace(/\/\?token=.*/, '/?view=logs'));
  const filter = page.getByLabel('Filter lines');
  const logsWindow = async (following: boolean) => {
    await filter.fill(following ? '' : '/^never$/');
    return (await frames(page, SECONDS)).p95;
  };
  console.log(`Logs view at ${process.env.RATE ?? 10000} lines/s, windows of ${SECONDS} s; each window's p95 frame`);
  const logs = await alternate(ROUNDS, () => logsWindow(true), () => logsWindow(false),
    (n, a, b, b2) => console.log(`round ${n}: following p95 ${a.toFixed(1)} ms, filtered to nothing ${b.toFixed(1)} / ${b2.toFixed(1)} ms`));
  const heap = await page.evaluate<number>('performance.memory ? performance.memory.usedJSHeapSize : 0');
  const lineCount = await page.getByLabel('line count').textContent();
  const { ratio } = summarize({ ours: 'following', theirs: 'filtered to nothing', unit: 'p95 frame ms of a window, lower is better; target: following < 50 ms' }, logs.ours, logs.theirs, logs.again, (x) => x.toFixed(1));
  const worst = Math.max(...logs.ours);
  console.log(`  target p95 < 50 ms in every window: ${worst < 50 ? 'met' : 'not met'} (worst window ${worst.toFixed(1)} ms; median ratio ${ratio.median.toFixed(2)})`);
  console.log(`  page JS heap at the end ${(heap / 2 ** 20).toFixed(0)} MiB; ${lineCount}`);

  // serve's CPU with the Stack view open (the stack up, nothing happening) against no page.
  await filter.fill('');
  const cpuWindow = async (stackView: boolean) => {
    if (stackView) {
      await page.goto(url.replace(/\/\?token=.*/, '/?view=stack'));
      await page.getByRole('button', { name: 'Stop', exact: true }).first().waitFor();
    } else {
      await page.goto('about:blank');
    }
    await new Promise((r) => setTimeout(r, 500)); // the page's first requests are not the idle cost
    const a = usage(child.pid!);
    await new Promise((r) => setTimeout(r, IDLE * 1000));
    return ((usage(child.pid!).cpu - a.cpu) / IDLE) * 100;
  };
  console.log(`\nobsdeck serve, windows of ${IDLE} s: CPU in % of a core`);
  const idle = await alternate(ROUNDS, () => cpuWindow(true), () => cpuWindow(false),
    (n, a, b, b2) => console.log(`round ${n}: Stack view open ${a.toFixed(2)} %, no page ${b.toFixed(2)} / ${b2.toFixed(2)} %`));
  summarize({ ours: 'Stack view open', theirs: 'no page', unit: '% of a core, lower is better; target: Stack view open < 2 %' }, idle.ours, idle.theirs, idle.again, (x) => x.toFixed(2));
  // A ratio of near-zero figures says little: the difference is the cost of the open view.
  console.log(`  the open view's cost (open − no page), median ${(median(idle.ours.map((x, i) => x - idle.theirs[i]!))).toFixed(2)} % of a core; RSS ${(usage(child.pid!).rss / 2 ** 20).toFixed(0)} MiB (before any page: ${(before.rss / 2 ** 20).toFixed(0)} MiB)`);
  await page.goto(url.replace(/\/\?token=.*/, '/?view=stack'));
  await page.getByRole('button', { name: 'Stop', exact: true }).first().click();
  await page.locator('[aria-label="service chatty"][data-state=missing]').waitFor({ timeout: 60_000 });
} finally {
  await browser.close();
  child.kill('SIGTERM');
  fs.rmSync(home, { recursive: true, force: true });
}
