// The API scaled out on Swarm: the traffic generator's normal scenario (GENERATORS of them at
// once, each at its top rate, offering GENERATORS × 50 req/s) against 1, 2 and 4 API replicas,
// reached as a user reaches them (127.0.0.1 through the gateway, which spreads connections over
// the replicas by Swarm's DNS round robin). Each round runs every count once and 1 replica a
// second time (the A/A side), in an order that rotates from round to round. Prints throughput
// (answered requests per second) and p95 latency per run, then min/median/max of each and the
// ratios against 1 replica with the A/A line. On 2 cores the replicas share the same two cores
// as the generator: the figure shows the method; it grows with the machine.
// Run: npm run bench:replicas  (ROUNDS, SECONDS, GENERATORS override; images as for npm test.
// Makes this engine a single-node swarm when it is in none, and leaves it again at the end.)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { loadSpec } from '../main/config/project.js';
import { SwarmStack } from '../main/swarm/swarm.js';
import { runTraffic, stackApi } from '../main/traffic/scenarios.js';
import { median, roundsFromEnv, spread, summarize } from './lib.js';

const ROUNDS = roundsFromEnv();
const SECONDS = Number(process.env.SECONDS ?? 10);
const GENERATORS = Number(process.env.GENERATORS ?? 8);
const COUNTS = [1, 2, 4] as const;
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'obsdeck-bench-replicas-'));
const env = {
  ...process.env,
  PROMETHEUS_IMAGE: process.env.PROMETHEUS_IMAGE ?? 'obsdeck-local/prometheus:latest',
  ALERTMANAGER_IMAGE: process.env.ALERTMANAGER_IMAGE ?? 'obsdeck-local/alertmanager:latest',
  API_IMAGE: process.env.API_IMAGE ?? 'obsdeck/poc3-api:dev',
  API_PORT: '18183', PROMETHEUS_PORT: '19190', ALERTMANAGER_PORT: '19193', GRAFANA_PORT: '13100',
  OBSDECK_HOME: home,
};
const docker = new Docker();
const { spec } = loadSpec({ project: 'obsdeck-bench-replicas', env, data: home });
const swarm = new SwarmStack(docker, spec);
const api = stackApi(spec);

interface Run { rps: number; p95: number; failed: number }

async function load(): Promise<Run> {
  const latencies: number[] = [];
  let failed = 0;
  const t = performance.now();
  const stats = await Promise.all(Array.from({ length: GENERATORS }, () => runTraffic('normal', {
    ...api, durationS: SECONDS, rate: 50,
    onResponse: (status, ms) => {
      latencies.push(ms);
      if (status >= 500) failed++;
    },
  }).catch(() => undefined)));
  const s = (performance.now() - t) / 1000;
  failed += stats.filter((x) => !x).length;
  const sorted = latencies.sort((a, b) => a - b);
  return { rps: latencies.length / s, p95: sorted[Math.floor(sorted.length * 0.95)] ?? NaN, failed };
}

async function at(replicas: number): Promise<Run> {
  await swarm.scale('api_poc3', replicas);
  // Scaled down, the removed tasks are still stopping (and in the DNS answers) for a while: the
  // first A/A line of this bench, 1 replica right after 4, was 0.78 of 1 replica elsewhere.
  const name = swarm.serviceName('api_poc3');
  for (let i = 0; i < 120; i++) {
    const live = await docker.listContainers({ filters: { label: [`com.docker.swarm.service.name=${name}`] } });
    if (live.length === replicas) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  await new Promise((r) => setTimeout(r, 6000)); // Prometheus' and the gateway's DNS answers carry only the live tasks
  return load();
}

const madeSwarm = (await swarm.role()) === 'inactive';
if (madeSwarm) await swarm.initSingleNode();
try {
  await swarm.up(['api_poc3', 'prometheus', 'alertmanager'], undefined, { replicas: { api_poc3: 1 } });
  await load(); // warm-up: JIT, SQLite pages, the accounts
  const runs: Record<'1' | '2' | '4' | 'again', Run[]> = { 1: [], 2: [], 4: [], again: [] };
  const plan: ['1' | '2' | '4' | 'again', number][] = [['1', 1], ['2', 2], ['4', 4], ['again', 1]];
  for (let r = 0; r < ROUNDS; r++) {
    for (let k = 0; k < plan.length; k++) {
      const [key, n] = plan[(k + r) % plan.length]!;
      runs[key].push(await at(n));
    }
    const line = (k: keyof typeof runs) => `${runs[k].at(-1)!.rps.toFixed(0)} req/s p95 ${runs[k].at(-1)!.p95.toFixed(0)} ms`;
    console.log(`round ${r + 1}: 1 replica ${line('1')} (again ${line('again')}); 2 replicas ${line('2')}; 4 replicas ${line('4')}`);
  }
  const failed = Object.values(runs).flat().reduce((n, x) => n + x.failed, 0);
  console.log(`\nnormal scenario, ${GENERATORS} generators × 50 req/s offered, ${SECONDS} s per run; ${failed} 5xx or failed generators`);
  for (const n of COUNTS) {
    const rps = spread(runs[String(n) as '1'].map((x) => x.rps));
    const p95 = spread(runs[String(n) as '1'].map((x) => x.p95));
    console.log(`  ${n} replica${n > 1 ? 's' : ' '}: throughput min ${rps.min.toFixed(0)} median ${rps.median.toFixed(0)} max ${rps.max.toFixed(0)} req/s; p95 min ${p95.min.toFixed(0)} median ${p95.median.toFixed(0)} max ${p95.max.toFixed(0)} ms`);
  }
  for (const n of [2, 4] as const) {
    summarize({ ours: `${n} replicas`, theirs: '1 replica', unit: 'throughput, req/s' }, runs[n].map((x) => x.rps), runs[1].map((x) => x.rps), runs.again.map((x) => x.rps));
    summarize({ ours: `${n} replicas`, theirs: '1 replica', unit: 'p95 latency, ms' }, runs[n].map((x) => x.p95), runs[1].map((x) => x.p95), runs.again.map((x) => x.p95));
  }
  console.log(`\nmedian throughput: 1 → 2 → 4 replicas: ${COUNTS.map((n) => median(runs[String(n) as '1'].map((x) => x.rps)).toFixed(0)).join(' → ')} req/s on ${os.cpus().length} cores`);
} finally {
  await swarm.down(undefined, { volumes: true }).catch((err: unknown) => console.error(err));
  if (madeSwarm) await docker.swarmLeave({ force: true }).catch(() => undefined);
  fs.rmSync(home, { recursive: true, force: true });
}
