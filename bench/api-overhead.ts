// What instrumentation costs the API. Two API processes, one with metrics on and one with them
// off (API_METRICS=off), loaded in turn by autocannon in alternating rounds, so drift in the
// machine affects both alike. Prints throughput and p99 per round, their min/median/max, the
// ratio (target: instrumented ≥ 0.95× uninstrumented) with the A/A line beside it. Then times one scrape
// at the seed's series count and at 10k series (target ≤ 20 ms): the API's own rendering
// (renderRegistry) against prom-client's registry.metrics() on the same registry, in
// alternating rounds of 30 scrapes each (the median scrape of a round is its figure).
// Run: npm run bench:api  (ROUNDS, SECONDS and CONNECTIONS override; ONLY=scrape times the scrapes alone.)
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { renderRegistry } from '../api/src/fast-metrics.js';
import { createMetrics } from '../api/src/metrics.js';
import { alternate, median, roundsFromEnv, summarize } from './lib.js';

const ROUNDS = roundsFromEnv();
const SECONDS = Number(process.env.SECONDS ?? 5);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 10);
const PASSWORD = 'bench-Passw0rd-not-secret';

interface Api { base: string; child: ChildProcess }

async function startApi(metrics: boolean, port: number): Promise<Api> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'poc3-bench-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'api/src/main.ts'], {
    env: {
      ...process.env, PORT: String(port), API_DATA_DIR: dataDir, API_METRICS: metrics ? 'on' : 'off', API_LOG_LEVEL: 'warn',
      API_ADMIN_PASSWORD: PASSWORD, API_USER_PASSWORD: PASSWORD,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${base}/health`)).ok) return { base, child };
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the API on ${base} did not start`);
}

/** Logs in and creates one customer; the load is GET /customers/:id (token check, SQLite, two decryptions). */
async function prepare(api: Api): Promise<{ url: string; token: string }> {
  const login = await fetch(`${api.base}/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'user', password: PASSWORD }),
  });
  const { access_token: token } = (await login.json()) as { access_token: string };
  const created = await fetch(`${api.base}/customers`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ name: 'Bench', email: 'bench@example.com', phone: '+1 555 0199' }),
  });
  const { id } = (await created.json()) as { id: number };
  return { url: `${api.base}/customers/${id}`, token };
}

async function load(url: string, token: string): Promise<{ rps: number; p99: number; errors: number }> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, headers: { authorization: `Bearer ${token}` } });
  return { rps: result.requests.average, p99: result.latency.p99, errors: result.errors + result.non2xx };
}

async function timeScrape(series: number): Promise<void> {
  const metrics = createMetrics(() => 42);
  // The seed's sample exposition: three request series, one duration label set, four token
  // series, four encryption series; the 10k case adds endpoints until the count is reached.
  const endpoints = Math.max(1, Math.ceil(series / 10));
  for (let e = 0; e < endpoints; e++) {
    for (const status of ['200', '201', '400', '401', '404']) {
      metrics.httpRequests.labels('GET', `/route/${e}`, status).inc();
      metrics.httpRequests.labels('POST', `/route/${e}`, status).inc();
    }
    if (e < 3) metrics.httpDuration.labels('GET', `/route/${e}`).observe(0.05);
  }
  for (const t of ['access', 'refresh']) for (const r of ['admin', 'user']) metrics.tokensCreated.labels(t, r).inc();
  const ours = await renderRegistry(metrics.registry);
  // The same series in the same order (the process metrics' values move between two renders).
  const shape = (text: string) => text.split('\n').map((l) => l.replace(/ \S+$/, '')).join('\n');
  if (shape(ours) !== shape(await metrics.registry.metrics())) throw new Error('renderRegistry and registry.metrics() wrote different series');
  const lines = ours.split('\n').filter((l) => l && !l.startsWith('#')).length;
  const round = async (render: () => Promise<string>) => {
    const runs: number[] = [];
    for (let i = 0; i < 30; i++) {
      const start = process.hrtime.bigint();
      await render();
      runs.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    return median(runs);
  };
  process.stdout.write(`\none scrape at ~${series} series (${lines} sample lines):\n`);
  const r = await alternate(ROUNDS, () => round(() => renderRegistry(metrics.registry)), () => round(() => metrics.registry.metrics()), () => undefined);
  summarize({ ours: 'renderRegistry', theirs: 'registry.metrics()', unit: `ms a scrape at ~${series} series, lower is better${series >= 10_000 ? '; target ≤ 20 ms' : ''}` }, r.ours, r.theirs, r.again, (x) => x.toFixed(2));
}

async function main(): Promise<void> {
  if (process.env.ONLY !== 'scrape') await throughput();
  for (const series of [20, 10_000]) await timeScrape(series);
}

async function throughput(): Promise<void> {
  const on = await startApi(true, 18183);
  const off = await startApi(false, 18184);
  try {
    const targets = { on: await prepare(on), off: await prepare(off) };
    // Warm both up (JIT, SQLite page cache) before measuring.
    await Promise.all([load(targets.on.url, targets.on.token), load(targets.off.url, targets.off.token)]);
    const r = await alternate(ROUNDS, () => load(targets.on.url, targets.on.token), () => load(targets.off.url, targets.off.token), (n, x, y, y2) =>
      process.stdout.write(`round ${n}: instrumented ${x.rps.toFixed(0)} req/s (p99 ${x.p99} ms), uninstrumented ${y.rps.toFixed(0)} and ${y2.rps.toFixed(0)} req/s (p99 ${y.p99}, ${y2.p99} ms)\n`));
    const errors = [...r.ours, ...r.theirs, ...r.again].reduce((n, x) => n + x.errors, 0);
    process.stdout.write(`\nGET /customers/:id, ${CONNECTIONS} connections, rounds of ${SECONDS} s, ${errors} errors`);
    const rps = summarize({ ours: 'instrumented', theirs: 'uninstrumented', unit: 'req/s, higher is better' }, r.ours.map((x) => x.rps), r.theirs.map((x) => x.rps), r.again.map((x) => x.rps));
    summarize({ ours: 'instrumented', theirs: 'uninstrumented', unit: 'p99 ms, lower is better' }, r.ours.map((x) => x.p99), r.theirs.map((x) => x.p99), r.again.map((x) => x.p99), (x) => x.toFixed(1));
    process.stdout.write(`median throughput ratio (instrumented / uninstrumented): ${rps.ratio.median.toFixed(3)}  (target ≥ 0.95; A/A spread ${rps.aa.min.toFixed(2)}–${rps.aa.max.toFixed(2)})\n`);
  } finally {
    on.child.kill('SIGTERM');
    off.child.kill('SIGTERM');
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
