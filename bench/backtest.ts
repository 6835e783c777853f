// A rule backtest over 6 hours of data at a 15 s evaluation interval (target: under 2 s on this
// machine), against the same Prometheus answering one range query of the rule's expression over
// the same window (what Prometheus itself needs; the backtest adds the phase, the graph, ALERTS
// and the restarts, and the replay). The 6 hours are backfilled with the stack's own promtool
// (`tsdb create-blocks-from openmetrics`): the API's request counters at a 15 s scrape, with a
// burst of 403s (HighForbiddenRate) and of rate-limited logins (LoginRateLimited) every hour.
// Prints each round, min/median/max of both sides and of their ratio, and the A/A line.
// Run: npm run bench:backtest  (ROUNDS, HOURS, RULE; PROMETHEUS_IMAGE as for npm test.)
import fs from 'node:fs';
import path from 'node:path';
import Docker from 'dockerode';
import { tarOf } from '../main/engine/run-tool.js';
import { PrometheusClient } from '../main/prom/client.js';
import { backtest } from '../main/rules/backtest.js';
import { alternate, roundsFromEnv, summarize } from './lib.js';

const ROUNDS = roundsFromEnv();
const HOURS = Number(process.env.HOURS ?? 6);
const RULE = process.env.RULE ?? 'HighForbiddenRate';
const IMAGE = process.env.PROMETHEUS_IMAGE ?? 'obsdeck-local/prometheus:latest';
const PORT = Number(process.env.BENCH_PORT ?? 19190);
const STEP_S = 15;
const docker = new Docker();
const volume = `obsdeck-bench-backtest-${process.pid}`;
const rules = fs.readFileSync(path.resolve('observability', 'prometheus_rules.yml'), 'utf8');

/** The API's counters as OpenMetrics text, one sample every 15 s for HOURS up to a minute ago. */
function openMetrics(end: number): string {
  const start = end - HOURS * 3600;
  const series: { labels: string; perStep: (t: number) => number }[] = [];
  const inBurst = (t: number, offsetS: number) => (t - start + offsetS) % 3600 < 600;
  for (const [endpoint, method] of [['/customers', 'GET'], ['/customers/:id', 'GET'], ['/customers', 'POST'], ['/auth/login', 'POST'], ['/auth/refresh', 'POST'], ['/health', 'GET']]) {
    series.push({ labels: `endpoint="${endpoint}",method="${method}",status="200"`, perStep: () => 30 });
    series.push({ labels: `endpoint="${endpoint}",method="${method}",status="500"`, perStep: () => 0.3 });
  }
  series.push({ labels: 'endpoint="/customers/:id",method="GET",status="403"', perStep: (t) => (inBurst(t, 0) ? 45 : 1) });
  series.push({ labels: 'endpoint="/auth/login",method="POST",status="401"', perStep: (t) => (inBurst(t, 1800) ? 60 : 2) });
  const lines = ['# TYPE http_requests counter'];
  for (const s of series) {
    let v = 0;
    for (let t = start; t <= end; t += STEP_S) {
      v += s.perStep(t);
      lines.push(`http_requests_total{job="poc3-security",instance="api_poc3:8083",${s.labels}} ${v} ${t}`);
    }
  }
  lines.push('# TYPE security_events counter');
  let limited = 0;
  for (let t = start; t <= end; t += STEP_S) {
    limited += inBurst(t, 1800) ? 20 : 0;
    lines.push(`security_events_total{job="poc3-security",instance="api_poc3:8083",event_type="rate_limited"} ${limited} ${t}`);
  }
  return `${lines.join('\n')}\n# EOF\n`;
}

async function run(args: string[], entrypoint: string, files: Record<string, string>, ports?: boolean): Promise<Docker.Container> {
  const c = await docker.createContainer({
    Image: IMAGE, Entrypoint: [entrypoint], Cmd: args, User: '0',
    ...(ports ? { ExposedPorts: { '9090/tcp': {} } } : {}),
    HostConfig: { Binds: [`${volume}:/prometheus`], ...(ports ? { PortBindings: { '9090/tcp': [{ HostIp: '127.0.0.1', HostPort: String(PORT) }] } } : {}) },
    Labels: { 'org.obsdeck.bench': 'backtest' },
  });
  await c.putArchive(await tarOf(files), { path: '/' });
  await c.start();
  return c;
}

const end = Math.floor(Date.now() / 1000) - 60;
let prometheus: Docker.Container | undefined;
try {
  const t0 = Date.now();
  const loader = await run(['tsdb', 'create-blocks-from', 'openmetrics', '/in/data.om', '/prometheus'], '/bin/promtool', { '/in/data.om': openMetrics(end) });
  const { StatusCode } = await loader.wait() as { StatusCode: number };
  if (StatusCode !== 0) throw new Error(`promtool could not backfill: ${(await loader.logs({ stdout: true, stderr: true })).toString()}`);
  await loader.remove();
  const config = `global:\n  evaluation_interval: ${STEP_S}s\nrule_files: [/etc/prometheus/prometheus_rules.yml]\nscrape_configs:\n  - job_name: prometheus\n    static_configs: [{ targets: ['localhost:9090'] }]\n`;
  prometheus = await run(['--config.file=/etc/prometheus/prometheus.yml', '--storage.tsdb.path=/prometheus', '--storage.tsdb.retention.time=30d'], '/bin/prometheus', { '/etc/prometheus/prometheus.yml': config, '/etc/prometheus/prometheus_rules.yml': rules }, true);
  const prom = new PrometheusClient(`http://127.0.0.1:${PORT}`);
  while (!(await prom.ready())) await new Promise((r) => setTimeout(r, 250));
  console.log(`backfilled ${HOURS} h at ${STEP_S} s and started Prometheus in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  const from = (end - HOURS * 3600 + 300) * 1000;
  const to = end * 1000;
  const first = await backtest(prom, rules, { name: RULE, from, to }, STEP_S * 1000);
  const firing = first.would.filter((a) => a.firingFrom !== undefined).length;
  console.log(`${RULE} over ${HOURS} h: ${first.evaluations} evaluations, ${first.graph.series.length} graph series, would have fired ${firing} times`);
  if (!firing) throw new Error('the backfilled bursts should make the rule fire: the benchmark measures nothing');
  const timed = async (work: () => Promise<unknown>) => {
    const s = performance.now();
    await work();
    return performance.now() - s;
  };
  const expr = rules.split('\n').find((l, i, all) => all[i - 1]?.includes(`alert: ${RULE}`) && l.includes('expr:'))!.replace(/^\s*expr:\s*/, '');
  const r = await alternate(ROUNDS,
    () => timed(() => backtest(prom, rules, { name: RULE, from, to }, STEP_S * 1000)),
    () => timed(() => prom.queryRange(expr, from / 1000, to / 1000, STEP_S)),
    (n, a, b, b2) => console.log(`round ${n}: backtest ${a.toFixed(0)} ms, one range query ${b.toFixed(0)} ms / ${b2.toFixed(0)} ms`));
  summarize({ ours: 'backtest', theirs: 'range query', unit: 'ms, lower is better; target: backtest under 2000 ms' }, r.ours, r.theirs, r.again);
} finally {
  await prometheus?.remove({ force: true }).catch(() => undefined);
  await docker.getVolume(volume).remove().catch(() => undefined);
}
