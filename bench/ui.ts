// The UI under load, in Debian's Chromium through `obsdeck serve` on the real engine:
// 1. The Logs view following a service that logs RATE lines/s (default 10k) for SECONDS (30):
//    frame times (p95, from requestAnimationFrame) against the same view idle (the baseline,
//    measured first in the same run), and the page's JS heap at the end. Target: p95 < 50 ms.
// 2. The serve process idle with the stack up and the Stack view open: RSS and CPU over IDLE
//    seconds (10), against the process before any page was open. Target: CPU < 2% of a core.
// Run: npm run bench:ui  (RATE, SECONDS, IDLE, NODE_IMAGE, CHROMIUM_PATH override.)
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium } from '../scripts/lib/chromium.js';

const SECONDS = Number(process.env.SECONDS ?? 30);
const IDLE = Number(process.env.IDLE ?? 10);
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

  // Baseline: the Logs view idle (nothing followed matches, so nothing renders).
  await page.goto(url.replace(/\/\?token=.*/, '/?view=logs&q=%2F%5Enever%24%2F'));
  const idle = await frames(page, Math.min(5, SECONDS));
  await page.getByLabel('Filter lines').fill('');
  const loaded = await frames(page, SECONDS);
  const heap = await page.evaluate<number>('performance.memory ? performance.memory.usedJSHeapSize : 0');
  const lineCount = await page.getByLabel('line count').textContent();
  console.log(`Logs view, idle (baseline): p95 frame ${idle.p95.toFixed(1)} ms over ${idle.count} frames`);
  console.log(`Logs view, ${process.env.RATE ?? 10000} lines/s for ${SECONDS} s: p95 frame ${loaded.p95.toFixed(1)} ms (max ${loaded.max.toFixed(0)} ms) over ${loaded.count} frames; ratio to idle ${(loaded.p95 / Math.max(idle.p95, 0.1)).toFixed(2)}; target p95 < 50 ms: ${loaded.p95 < 50 ? 'met' : 'not met'}`);
  console.log(`  page JS heap at the end ${(heap / 2 ** 20).toFixed(0)} MiB; ${lineCount}`);

  // Idle: the Stack view open, the stack up, nothing happening.
  await page.goto(url.replace(/\/\?token=.*/, '/?view=stack'));
  await page.getByRole('button', { name: 'Stop', exact: true }).first().waitFor();
  const a = usage(child.pid!);
  await new Promise((r) => setTimeout(r, IDLE * 1000));
  const b = usage(child.pid!);
  const cpu = ((b.cpu - a.cpu) / IDLE) * 100;
  console.log(`obsdeck serve idle with the Stack view open: CPU ${cpu.toFixed(2)}% of a core (target < 2%: ${cpu < 2 ? 'met' : 'not met'}), RSS ${(b.rss / 2 ** 20).toFixed(0)} MiB (before any page: ${(before.rss / 2 ** 20).toFixed(0)} MiB)`);
  await page.getByRole('button', { name: 'Stop', exact: true }).first().click();
  await page.locator('[aria-label="service chatty"][data-state=missing]').waitFor({ timeout: 60_000 });
} finally {
  await browser.close();
  child.kill('SIGTERM');
  fs.rmSync(home, { recursive: true, force: true });
}
