// `npm run bench:soak`: the stack under the traffic generator's highest rate (50 steps/s,
// the normal scenario) for SOAK_SECONDS (600), driven through `obsdeck serve` as the app would
// be used: a session following every service's logs and asking for the Metrics view's range
// queries every 10 s. On the shared bench method's terms (bench/lib.ts), in windows of WINDOW_S
// (60; at least seven): per window the RSS of serve and the API's memory at its end, the p95
// latency over it and the requests it sent; their min/median/max over the windows; the drift
// (the last window against the first) beside an A/A line (each window against the one before
// it: how much a figure moves between two windows of the same load, so a drift inside that
// spread is none); requests lost (network errors and 5xx; target 0). Figures, no assertions.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { WebSocket } from 'ws';
import type { TrafficRun } from '../main/contract.js';
import { stackEnv } from '../test/helpers/stack.js';
import { spread } from './lib.js';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 600);
const WINDOW_S = Number(process.env.WINDOW_S ?? 60);
if (SECONDS / WINDOW_S < 7) console.warn(`${SECONDS / WINDOW_S} windows: fewer than 7; the spread below says how far to trust it`);
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'obsdeck-soak-'));
const project = `obsdeck-soak-${process.pid}`;
const env = await stackEnv(project, home, { OBSDECK_WEBHOOK_PORT: '0' });
const docker = new Docker();

const child = spawn(process.execPath, ['bin/obsdeck.js', 'serve'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise<string>((resolve) => {
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    const m = /(http:\/\/127\.0\.0\.1:\d+)\/\?token=([\w-]+)/.exec(out);
    if (m) resolve(`${m[1]}/?token=${m[2]}`);
  });
});
const origin = new URL(url).origin;
// As the page does (main/server/serve.ts): the token in the socket's first message, no cookie.
const ws = new WebSocket(`${origin.replace('http', 'ws')}/ws`, { headers: { origin } });
await new Promise<void>((resolve, reject) => {
  ws.once('open', () => resolve());
  ws.once('error', reject);
});
ws.send(JSON.stringify({ auth: new URL(url).searchParams.get('token') }));
let nextId = 1;
const pending = new Map<number, (m: { ok: boolean; result?: unknown; error?: { message: string } }) => void>();
let logLines = 0;
let lastRun: TrafficRun | undefined;
ws.on('message', (d: Buffer) => {
  const m = JSON.parse(d.toString('utf8')) as { id?: number; event?: string; payload?: unknown; ok: boolean; result?: unknown; error?: { message: string } };
  if (m.event === 'logs:lines') logLines += (m.payload as unknown[]).length;
  if (m.event === 'traffic:run') lastRun = m.payload as TrafficRun;
  if (m.id !== undefined) pending.get(m.id)?.(m);
});
// A socket the server closes (a refused token) fails what is pending instead of leaving it hanging.
ws.on('close', (code: number, reason: Buffer) => {
  for (const settle of pending.values()) settle({ ok: false, error: { message: `the socket closed (${code} ${reason.toString()})` } });
  pending.clear();
});
const ask = <T>(channel: string, args: unknown): Promise<T> => new Promise((resolve, reject) => {
  const id = nextId++;
  pending.set(id, (m) => (m.ok ? resolve(m.result as T) : reject(new Error(`${channel}: ${m.error?.message ?? '?'}`))));
  ws.send(JSON.stringify({ id, channel, args }));
});

const mib = (bytes: number) => bytes / (1 << 20);
const serveRss = () => mib(Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) * 1024);
const apiMemory = async () => {
  const stats = (await docker.getContainer(`${project}-api_poc3-1`).stats({ stream: false })) as { memory_stats: { usage?: number; stats?: { inactive_file?: number } } };
  return mib((stats.memory_stats.usage ?? 0) - (stats.memory_stats.stats?.inactive_file ?? 0));
};
/** The API's p95 latency over the last `seconds`, as Prometheus computes it. */
const p95 = async (seconds: number) => {
  const end = Math.floor(Date.now() / 1000);
  const [r] = await ask<{ series: { points: [number, number][] }[] }[]>('metrics:range', { exprs: [`histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{job="poc3-security"}[${seconds}s])))`], start: end - 15, end, step: 15 });
  return r?.series[0]?.points.at(-1)?.[1];
};

try {
  process.stdout.write(`soak: ${SECONDS} s of the normal scenario at its highest rate (50 steps/s) through obsdeck serve (pid ${child.pid}), logs followed, metrics every 10 s\n`);
  await ask('stack:up', { services: ['api_poc3', 'prometheus', 'alertmanager'] });
  await ask('logs:follow', { tail: 100 });
  await ask('traffic:start', { scenario: 'normal', rate: 50, durationS: SECONDS });
  const panels = ['sum(rate(http_requests_total[1m]))', 'job:http_availability:ratio_rate5m', 'sum by (status) (rate(http_requests_total{endpoint="/auth/login"}[1m]))'];
  const metrics = setInterval(() => {
    const end = Math.floor(Date.now() / 1000);
    void ask('metrics:range', { exprs: panels, start: end - 900, end, step: 5 }).catch(() => undefined);
  }, 10_000);
  interface Window { serve: number; api: number; p95?: number; sent: number }
  const windows: Window[] = [];
  const started = Date.now();
  let sentBefore = 0;
  while (Date.now() - started < SECONDS * 1000 + 2000) {
    await new Promise((r) => setTimeout(r, WINDOW_S * 1000));
    const latency = await p95(WINDOW_S);
    const sent = lastRun?.sent ?? 0;
    windows.push({ serve: serveRss(), api: await apiMemory(), ...(latency !== undefined ? { p95: latency * 1000 } : {}), sent: sent - sentBefore });
    sentBefore = sent;
    const w = windows.at(-1)!;
    process.stdout.write(`  window ${windows.length} (to ${Math.round((Date.now() - started) / 1000)} s): serve RSS ${w.serve.toFixed(1)} MiB, API ${w.api.toFixed(1)} MiB, p95 ${w.p95?.toFixed(1) ?? '?'} ms, sent ${w.sent}, log lines so far ${logLines}\n`);
    if (lastRun && !lastRun.running) break;
  }
  clearInterval(metrics);
  const run = lastRun!;
  const lost = Object.entries(run.byStatus).filter(([k]) => k === 'error' || k.startsWith('5')).reduce((n, [, v]) => n + v, 0);
  const f = (x: number) => x.toFixed(2);
  const line = (name: string, unit: string, xs: number[]) => {
    if (xs.length < 2) return `${name}: ${xs.length} window(s), too few for a figure`;
    const s1 = spread(xs);
    const steps = spread(xs.slice(1).map((x, i) => x / xs[i]!));
    return `${name} (${unit}): min ${s1.min.toFixed(1)}  median ${s1.median.toFixed(1)}  max ${s1.max.toFixed(1)}; drift last/first ${f(xs.at(-1)! / xs[0]!)}; A/A each window / the one before: min ${f(steps.min)}  median ${f(steps.median)}  max ${f(steps.max)}`;
  };
  process.stdout.write(`\n${windows.length} windows of ${WINDOW_S} s:\n`);
  process.stdout.write(`  ${line('obsdeck serve RSS', 'MiB', windows.map((w) => w.serve))}\n`);
  process.stdout.write(`  ${line('API container memory', 'MiB', windows.map((w) => w.api))}\n`);
  process.stdout.write(`  ${line('API p95 latency', 'ms; the seed\'s buckets: below 100 ms it is an interpolation within the first', windows.flatMap((w) => (w.p95 === undefined ? [] : [w.p95])))}\n`);
  process.stdout.write(`  ${line('requests sent a window', 'count', windows.map((w) => w.sent))}\n`);
  process.stdout.write(`requests: ${run.sent} in ${run.elapsedS.toFixed(0)} s (${(run.sent / run.elapsedS).toFixed(1)}/s), by status ${JSON.stringify(run.byStatus)}; lost ${lost} (target 0); log lines delivered: ${logLines}\n`);
} finally {
  await ask('stack:down', { volumes: true }).catch(() => undefined);
  ws.close();
  child.kill('SIGTERM');
  fs.rmSync(home, { recursive: true, force: true });
}
