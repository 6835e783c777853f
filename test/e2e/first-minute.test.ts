// A new user's first minute, the way CI runs (no image variables): `npm start` prints the URL;
// Start brings the API, Prometheus and Alertmanager to ready on their stand-ins while Grafana's
// card says in one line why it cannot run; then the air-gapped round trip in the Images panel:
// Export the images, one removed from the engine, Import the tarball, Start again offline.
// Screenshots of each step go to test-results/screenshots/ (the closing notes show them).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../scripts/lib/chromium.js';
import { removeProject } from '../helpers/e2e.js';
import { freePort } from '../helpers/net.js';

const docker = new Docker();
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'obsdeck-first-minute-'));
const project = `obsdeck-first-minute-${process.pid}`;
const shots = path.join('test-results', 'screenshots');
/** The image the round trip removes and imports: an alias of the alertmanager stand-in, so no other test loses it. */
const alias = { repo: `obsdeck-e2e-${process.pid}/alertmanager`, tag: 'offline' };
const aliasRef = `${alias.repo}:${alias.tag}`;
let app: ChildProcess;
let browser: Browser;
let page: Page;
let url: string;
let startedInMs: number;

const card = (name: string) => page.getByRole('article', { name: `service ${name}` });
const row = (name: string) => page.getByRole('row', { name: `image of ${name}` });
const shot = (name: string) => page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });

async function readyThree(): Promise<void> {
  for (const name of ['api_poc3', 'prometheus', 'alertmanager']) {
    await card(name).and(page.locator('[data-ready="true"]')).waitFor({ timeout: 90_000 });
  }
}

beforeAll(async () => {
  fs.mkdirSync(shots, { recursive: true });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    OBSDECK_HOME: home,
    OBSDECK_PROJECT: project,
    API_PORT: String(await freePort()),
    PROMETHEUS_PORT: String(await freePort()),
    ALERTMANAGER_PORT: String(await freePort()),
    GRAFANA_PORT: String(await freePort()),
    OBSDECK_WEBHOOK_PORT: '0',
  };
  // As a fresh clone runs: the compose file's own images, none chosen by a variable.
  const unset = new Set(['PROMETHEUS_IMAGE', 'ALERTMANAGER_IMAGE', 'GRAFANA_IMAGE', 'API_IMAGE', 'NODE_IMAGE', 'OBSDECK_SERVICES', 'OBSDECK_NO_SETUP']);
  const clean = Object.fromEntries(Object.entries(env).filter(([k]) => !unset.has(k)));
  await docker.getImage('obsdeck-local/alertmanager:latest').tag(alias);
  const t0 = Date.now();
  // Its own process group, so the whole tree (npm, node, obsdeck serve) goes at the end.
  app = spawn('npm', ['start'], { env: clean, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`npm start printed no URL within 240 s:\n${out}`)), 240_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    app.stdout!.on('data', onData);
    app.stderr!.on('data', onData);
    app.on('exit', (code) => reject(new Error(`npm start exited (${code}) before printing a URL:\n${out}`)));
  });
  startedInMs = Date.now() - t0;
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  if (app?.pid) {
    try {
      process.kill(-app.pid, 'SIGTERM');
    } catch { /* already gone */ }
  }
  await removeProject(docker, project, home);
  await docker.getImage(aliasRef).remove().catch(() => undefined);
}, 120_000);

describe('the first minute on a fresh clone', () => {
  it('npm start prints the URL; Start runs what can run on stand-ins and says in one line why Grafana cannot', async () => {
    console.log(`npm start printed its URL after ${(startedInMs / 1000).toFixed(1)} s`);
    await page.goto(url);
    await card('api_poc3').waitFor();
    await page.getByRole('table', { name: 'Images of the stack' }).waitFor();
    await shot('1-before-start');
    await page.getByRole('button', { name: 'Start', exact: true }).first().click();
    await readyThree();
    for (const name of ['prometheus', 'alertmanager']) {
      await expect.poll(() => card(name).getByLabel('stand-in').textContent()).toMatch(new RegExp(`offline: using stand-in obsdeck-local/${name}`));
    }
    // Grafana's image is not here and no registry answers: one line, the engine's words behind "details".
    const why = card('grafana').getByLabel('unavailable');
    await why.waitFor({ timeout: 30_000 });
    const line = await why.locator('p').first().innerText();
    // The advice names what works for Grafana (images:local builds no Grafana).
    expect(line).toMatch(/^image unavailable: grafana\/grafana-oss:\S+ is not on the engine and cannot be pulled; import a tarball of it \(Images → Import\), or choose an image that is on the engine \(Images → Change\)$/);
    expect(line.split('\n')).toHaveLength(1);
    expect(await why.locator('details pre').count()).toBe(1);
    expect(await page.getByRole('alert').filter({ hasText: 'cannot be pulled' }).count()).toBe(0); // not repeated in a red box
    await shot('2-after-start');
  }, 180_000);

  it('exports the images, imports them back after one is removed, and starts again offline', async () => {
    await page.getByRole('button', { name: 'Stop', exact: true }).first().click();
    await card('alertmanager').and(page.locator('[data-state="missing"]')).waitFor({ timeout: 60_000 });
    // Choose the alias for Alertmanager, in the panel.
    await page.getByRole('button', { name: 'Change the image of alertmanager' }).click();
    await page.getByLabel('image for alertmanager').fill(aliasRef);
    await page.getByRole('button', { name: 'Use', exact: true }).click();
    await expect.poll(() => row('alertmanager').innerText()).toContain(aliasRef);

    const tarball = path.join(home, 'carry', 'stack-images.tar');
    await page.getByLabel('Export to file').fill(tarball);
    await page.getByRole('button', { name: 'Export', exact: true }).click();
    await expect.poll(() => page.getByRole('status').innerText(), { timeout: 120_000 }).toMatch(/^Wrote \d+ images/);
    expect(fs.statSync(tarball).size).toBeGreaterThan(20 << 20);
    await shot('3-images-exported');

    await docker.getImage(aliasRef).remove();
    await page.reload();
    await expect.poll(() => row('alertmanager').getAttribute('data-on-engine')).toBe('false');
    await page.getByLabel('Import from file').fill(tarball);
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await expect.poll(() => row('alertmanager').getAttribute('data-on-engine'), { timeout: 120_000 }).toBe('true');
    expect(await row('alertmanager').innerText()).toContain('imported');
    await page.getByRole('region', { name: 'Images' }).screenshot({ path: path.join(shots, '4-images-panel.png') });

    await page.getByRole('button', { name: 'Start', exact: true }).first().click();
    await readyThree();
    expect(await card('alertmanager').innerText()).toContain(aliasRef);
    await shot('5-started-again-offline');

    // The API's lines as a person reads them (time, level, message, method, endpoint, status), after some traffic.
    await page.getByLabel('Duration in seconds').fill('3');
    await page.getByRole('button', { name: 'Run normal' }).click();
    await page.getByRole('row', { name: 'traffic normal' }).and(page.locator('[data-running="false"]')).waitFor({ timeout: 30_000 });
    await page.goto(url.replace(/\/\?token=.*/, '/?view=logs'));
    await page.getByRole('log', { name: 'log lines' }).getByText('request', { exact: true }).first().waitFor({ timeout: 30_000 });
    // The services' lines merged in time order, whichever container's backlog came first.
    const times = await page.getByRole('log', { name: 'log lines' }).locator('.time').allInnerTexts();
    expect(times.length).toBeGreaterThan(10);
    expect(times).toEqual([...times].sort());
    await shot('6-logs-structured');
  }, 300_000);
});
