// Cold start to all-ready: Obsdeck's `up` against Debian's `docker-compose up -d` followed by
// the same HTTP readiness probes, with the same images and compose file, alternating rounds so
// drift affects both alike. Each round starts from nothing (no containers, network or volumes).
// Prints each round, min/median/max of each side and of the ratio ours / docker-compose
// (target ≤ 0.5), the A/A line (docker-compose against itself), and the engine's floor: its own
// container starts along the longest depends_on chain, as a share of docker-compose's time.
// Run: npm run bench:stack  (ROUNDS overrides; images as for npm test, e.g. PROMETHEUS_IMAGE.)
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { loadSpec } from '../main/config/project.js';
import { Stack } from '../main/stack/stack.js';
import { fetchWithin } from '../main/prom/fetch.js';
import { alternate, median, roundsFromEnv, spread, summarize } from './lib.js';
import { basicAuth } from '../main/config/stack-auth.js';
import { stackAuthFor } from '../scripts/stack-auth.js';
import { aptInstall, canApt } from '../scripts/lib/apt.js';
import { which } from '../scripts/lib/proc.js';

// The baseline is Debian's docker-compose: installed here when it is missing and apt-get as root
// can, else one line says how (never a stack trace from spawn).
if (!which('docker-compose')) {
  if (canApt()) await aptInstall(['docker-compose'], 'the baseline of bench:stack');
  else {
    console.error('bench:stack compares against docker-compose, which is not installed: `apt-get install docker-compose` (as root), then run it again');
    process.exit(2);
  }
}

const ROUNDS = roundsFromEnv();
const SERVICES = ['api_poc3', 'prometheus', 'alertmanager'];
const env = {
  ...process.env,
  PROMETHEUS_IMAGE: process.env.PROMETHEUS_IMAGE ?? 'obsdeck-local/prometheus:latest',
  ALERTMANAGER_IMAGE: process.env.ALERTMANAGER_IMAGE ?? 'obsdeck-local/alertmanager:latest',
  API_IMAGE: process.env.API_IMAGE ?? 'obsdeck/poc3-api:dev',
  API_PORT: '18083', PROMETHEUS_PORT: '19090', ALERTMANAGER_PORT: '19093',
  OBSDECK_HOME: process.env.OBSDECK_HOME ?? path.join('/tmp', 'obsdeck-bench-home'),
};
const probes = [`http://127.0.0.1:${env.API_PORT}/health`, `http://127.0.0.1:${env.PROMETHEUS_PORT}/-/ready`, `http://127.0.0.1:${env.ALERTMANAGER_PORT}/-/ready`];
const docker = new Docker();
const composeFile = path.resolve('observability', 'docker-compose.yml');

// docker-compose runs observability/ as it is, with the credentials `npm run stack:auth` made there.
const composeAuth = { authorization: basicAuth(stackAuthFor()) };

async function allReady(): Promise<void> {
  const pending = new Set(probes);
  while (pending.size) {
    for (const url of [...pending]) {
      const ok = await fetchWithin(url, 500, { headers: composeAuth }).then((r) => r.ok, () => false);
      if (ok) pending.delete(url);
    }
    if (pending.size) await new Promise((r) => setTimeout(r, 100));
  }
}

const compose = (project: string, ...args: string[]) => promisify(execFile)('docker-compose', ['-p', project, '-f', composeFile, ...args], { env });

/**
 * Each round's engine floor: the time the engine itself took to start the containers along the
 * longest chain of depends_on (a start waits for its dependencies' starts, so no ordering of
 * ours can beat it). Read from our up's events.
 */
const floors: number[] = [];

async function ours(): Promise<number> {
  const spec = loadSpec({ project: 'obsdeck-bench-ours', env, data: env.OBSDECK_HOME }).spec;
  const stack = new Stack(docker, spec);
  await stack.down(undefined, { volumes: true });
  const began = new Map<string, number>();
  const took = new Map<string, number>();
  const t = performance.now();
  await stack.up(SERVICES, (e) => {
    if (e.step !== 'start' || !e.service) return;
    if (e.state === 'started') began.set(e.service, performance.now());
    if (e.state === 'done') took.set(e.service, performance.now() - began.get(e.service)!);
  }, { wait: true });
  const ms = performance.now() - t;
  const chain = (name: string): number => (took.get(name) ?? 0) + Math.max(0, ...(spec.services.find((x) => x.name === name)?.dependsOn ?? []).map((d) => chain(d.service)));
  floors.push(Math.max(...SERVICES.map(chain)));
  await stack.down(undefined, { volumes: true });
  return ms;
}

async function theirs(): Promise<number> {
  const project = 'obsdeck-bench-compose';
  await compose(project, 'down', '--volumes');
  const t = performance.now();
  await compose(project, 'up', '-d', '--no-build', ...SERVICES);
  await allReady();
  const ms = performance.now() - t;
  await compose(project, 'down', '--volumes');
  return ms;
}

const { ours: a, theirs: b, again } = await alternate(ROUNDS, ours, theirs, (round, x, y, y2) =>
  console.log(`round ${round}: obsdeck up ${x.toFixed(0)} ms, docker-compose up -d + probes ${y.toFixed(0)} ms and again ${y2.toFixed(0)} ms`));
const { ratio } = summarize({ ours: 'obsdeck up', theirs: 'docker-compose up -d + probes', unit: 'ms to all ready, lower is better' }, a, b, again);
console.log(`median ratio obsdeck / docker-compose: ${ratio.median.toFixed(2)} (target ≤ 0.50: ${ratio.median <= 0.5 ? 'met' : 'not met'})`);
const floor = spread(floors.map((f, i) => f / b[i]!));
console.log(`  the engine's own container starts along the depends_on chain: ${median(floors).toFixed(0)} ms median (${Math.min(...floors).toFixed(0)}–${Math.max(...floors).toFixed(0)}), `
  + `${floor.median.toFixed(2)} of docker-compose's time (${floor.min.toFixed(2)}–${floor.max.toFixed(2)}): no start order beats that`);
