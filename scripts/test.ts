// `npm test`: the whole suite. Lint, types and unit tests first; then the prerequisites of the
// integration tests (a Docker engine and the stack's images, installed or started when missing);
// then the integration tests against the real engine. Ends with one "N passed, N failed" line.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureChromium } from './lib/chromium.js';
import { dockerdIsOurs } from './lib/docker-engine.js';
import { ensurePrerequisites } from './prereqs.js';

interface Outcome { step: string; ok: boolean; passed: number; failed: number }
const outcomes: Outcome[] = [];
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;

function heading(text: string): void {
  process.stdout.write(`\n=== ${text}\n`);
}

function exec(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: 'inherit', env });
    child.on('close', (code) => resolve(code ?? 1));
    child.on('error', () => resolve(127));
  });
}

async function step(name: string, cmd: string, args: string[]): Promise<void> {
  heading(name);
  const code = await exec(cmd, args);
  outcomes.push({ step: name, ok: code === 0, passed: code === 0 ? 1 : 0, failed: code === 0 ? 0 : 1 });
}

/**
 * A step started now and reported when awaited: its output is kept and printed then, whole, so
 * it does not interleave with the step in the foreground.
 */
function background(name: string, cmd: string, args: string[]): () => Promise<void> {
  const out: Buffer[] = [];
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (d: Buffer) => out.push(d));
  child.stderr.on('data', (d: Buffer) => out.push(d));
  const done = new Promise<number>((resolve) => {
    child.on('close', (code) => resolve(code ?? 1));
    child.on('error', () => resolve(127));
  });
  let reported = false;
  return async () => {
    const code = await done;
    if (reported) return;
    reported = true;
    heading(`${name} (ran beside the integration tests)`);
    process.stdout.write(Buffer.concat(out));
    outcomes.push({ step: name, ok: code === 0, passed: code === 0 ? 1 : 0, failed: code === 0 ? 0 : 1 });
  };
}

async function vitest(name: string, filters: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  heading(name);
  const report = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'obsdeck-vitest-')), 'report.json');
  const code = await exec('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...filters], env);
  let passed = 0;
  let failed = code === 0 ? 0 : 1;
  if (fs.existsSync(report)) {
    const r = JSON.parse(fs.readFileSync(report, 'utf8')) as { numPassedTests: number; numFailedTests: number; numTotalTests: number };
    passed = r.numPassedTests;
    failed = Math.max(r.numFailedTests, code === 0 ? 0 : 1);
    if (r.numTotalTests === 0) failed = Math.max(failed, 1); // a suite that ran nothing is a failure
  }
  outcomes.push({ step: name, ok: code === 0 && failed === 0, passed, failed });
}

async function main(): Promise<void> {
  if (!only || only === 'static') {
    await step('lint (eslint, zero warnings)', 'npx', ['eslint', '--max-warnings=0', '.']);
    await step('types (Node side and web side)', 'npm', ['run', '--silent', 'typecheck']);
    await step('Electronegativity (no high-severity finding in the Electron layer)', 'npm', ['run', '--silent', 'electronegativity']);
  }
  if (!only || only === 'unit') await vitest('unit tests', ['--project', 'unit']);
  // Node 20 is past its end of life: the same install and unit tests on Node 24 (the active LTS).
  const node24 = 'Node 24: a fresh install, the unit and API tests, obsdeck --help, obsdeck serve';
  if (only === 'node24') await step(node24, 'npx', ['tsx', 'scripts/node24.ts']);
  // The whole suite runs the Node 24 pass (CPU: an install, a compile, the unit tests; no Docker,
  // no port 5001) beside the integration tests, which mostly wait on the engine and on scrape
  // intervals; it is done before the browser tests begin. About 3 of the suite's minutes.
  const node24Done = only ? undefined : background(node24, 'npx', ['tsx', 'scripts/node24.ts']);
  if (!only || only === 'integration') {
    heading('prerequisites of the integration tests');
    try {
      const { images } = await ensurePrerequisites();
      process.stdout.write(`images: ${Object.entries(images).map(([k, v]) => `${k}=${v}`).join(', ')}\n`);
      await vitest('integration tests (real Docker engine)', ['--project', 'integration'], {
        ...process.env,
        PROMETHEUS_IMAGE: images.prometheus,
        ALERTMANAGER_IMAGE: images.alertmanager,
        NODE_IMAGE: images.node,
        API_IMAGE: images.api,
      });
      if (dockerdIsOurs()) {
        await vitest('integration: the Docker daemon restarts under a running stack', ['--project', 'engine-restart'], {
          ...process.env,
          PROMETHEUS_IMAGE: images.prometheus,
          ALERTMANAGER_IMAGE: images.alertmanager,
          API_IMAGE: images.api,
        });
      } else {
        process.stdout.write('\nskipped: the daemon-restart test (the Docker engine here was not started by this script, so it is not ours to restart)\n');
      }
      await node24Done?.();
      heading('prerequisites of the end-to-end tests');
      const chromiumPath = await ensureChromium();
      await step('build the renderer', 'npx', ['vite', 'build', '--logLevel', 'warn']);
      await vitest('end-to-end tests (Chromium)', ['--project', 'e2e'], {
        ...process.env,
        CHROMIUM_PATH: chromiumPath,
        PROMETHEUS_IMAGE: images.prometheus,
        ALERTMANAGER_IMAGE: images.alertmanager,
        API_IMAGE: images.api,
      });
    } catch (err) {
      process.stdout.write(`prerequisites failed: ${err instanceof Error ? err.message : String(err)}\n`);
      outcomes.push({ step: 'prerequisites', ok: false, passed: 0, failed: 1 });
    }
  }
  await node24Done?.(); // reported already unless the integration tests could not begin
  heading('summary');
  for (const o of outcomes) process.stdout.write(`${o.ok ? 'ok  ' : 'FAIL'}  ${o.step}\n`);
  const passed = outcomes.reduce((n, o) => n + o.passed, 0);
  const failed = outcomes.reduce((n, o) => n + o.failed, 0);
  process.stdout.write(`${passed} passed, ${failed} failed\n`);
  process.exit(outcomes.every((o) => o.ok) ? 0 : 1);
}

void main();
