// `npm run bench:soak`: the stack under the traffic generator's highest rate (50 steps/s,
// the normal scenario) for SOAK_SECONDS (600), driven through `obsdeck serve` as the app would
// be used: a session following every service's logs and asking for the Metrics view's range
// queries every 10 s. Prints the RSS of serve and the API's memory every 30 s and their start,
// end, min/median/max; requests lost (network errors and 5xx; target 0); p95 latency at the
// start and the end (the drift). Figures, no assertions.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { WebSocket } from 'ws';
import type { TrafficRun } from '../main/contract.js';
import { stackEnv } from '../test/helpers/stack.js';
import { median } from './lib.js';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 600);
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
const traded = await fetch(url, { redirect: 'manual' });
const cookie = (traded.headers.get('set-cookie') ?? '').split(';')[0]!;
const ws = new WebSocket(`${origin.replace('http', 'ws')}/ws`, { headers: { cookie, origin } });
await new Promise<void>((resolve, reject) => {
  ws.once('open', () => resolve());
  ws.once('error', reject);
});
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
const p95 = async () => {
  const end = Math.floor(Date.now() / 1000);
  const [r] = await ask<{ series: { points: [number, number][] }[] }[]>('metrics:range', { exprs: ['histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{job="poc3-security"}[1m])))'], start: end - 60, end, step: 15 });
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
  const serveSamples: number[] = [];
  const apiSamples: number[] = [];
  let startP95: number | undefined;
  const started = Date.now();
  while (Date.now() - started < SECONDS * 1000 + 2000) {
    await new Promise((r) => setTimeout(r, 30_000));
    serveSamples.push(serveRss());
    apiSamples.push(await apiMemory());
    startP95 ??= await p95();
    process.stdout.write(`  ${Math.round((Date.now() - started) / 1000)} s: serve RSS ${serveSamples.at(-1)!.toFixed(1)} MiB, API ${apiSamples.at(-1)!.toFixed(1)} MiB, sent ${lastRun?.sent ?? 0}, log lines ${logLines}\n`);
    if (lastRun && !lastRun.running) break;
  }
  clearInterval(metrics);
  const endP95 = await p95();
  const run = lastRun!;
  const lost = Object.entries(run.byStatus).filter(([k]) => k === 'error' || k.startsWith('5')).reduce((n, [, v]) => n + v, 0);
  const line = (name: string, xs: number[]) => `${name}: start ${xs[0]!.toFixed(1)} MiB, end ${xs.at(-1)!.toFixed(1)} MiB (min ${Math.min(...xs).toFixed(1)}, median ${median(xs).toFixed(1)}, max ${Math.max(...xs).toFixed(1)}; end/start ${(xs.at(-1)! / xs[0]!).toFixed(2)})`;
  process.stdout.write(`${line('obsdeck serve RSS', serveSamples)}\n${line('API container memory', apiSamples)}\n`);
  process.stdout.write(`requests: ${run.sent} in ${run.elapsedS.toFixed(0)} s (${(run.sent / run.elapsedS).toFixed(1)}/s), by status ${JSON.stringify(run.byStatus)}; lost ${lost} (target 0)\n`);
  process.stdout.write(`p95 latency (the seed's buckets: below 100 ms it reads as an interpolation within the first): ${startP95 === undefined ? '?' : (startP95 * 1000).toFixed(1)} ms at the start, ${endP95 === undefined ? '?' : (endP95 * 1000).toFixed(1)} ms at the end; log lines delivered: ${logLines}\n`);
} finally {
  await ask('stack:down', { volumes: true }).catch(() => undefined);
  ws.close();
  child.kill('SIGTERM');
  fs.rmSync(home, { recursive: true, force: true });
}
