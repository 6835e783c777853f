// Cold start to all-ready: Obsdeck's `up` against Debian's `docker-compose up -d` followed by
// the same HTTP readiness probes, with the same images and compose file, alternating rounds so
// drift affects both alike. Each round starts from nothing (no containers, network or volumes).
// Prints each round, min/median/max of each side and of the ratio ours / docker-compose
// (target ≤ 0.8), and the A/A line (docker-compose against itself).
// Run: npm run bench:stack  (ROUNDS overrides; images as for npm test, e.g. PROMETHEUS_IMAGE.)
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { loadSpec } from '../main/config/project.js';
import { Stack } from '../main/stack/stack.js';
import { fetchWithin } from '../main/prom/fetch.js';
import { alternate, roundsFromEnv, summarize } from './lib.js';
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

async function ours(): Promise<number> {
  const stack = new Stack(docker, loadSpec({ project: 'obsdeck-bench-ours', env, data: env.OBSDECK_HOME }).spec);
  await stack.down(undefined, { volumes: true });
  const t = performance.now();
  await stack.up(SERVICES, undefined, { wait: true });
  const ms = performance.now() - t;
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
console.log(`median ratio obsdeck / docker-compose: ${ratio.median.toFixed(2)} (target ≤ 0.80: ${ratio.median <= 0.8 ? 'met' : 'not met'})`);
