// The Stack view on Docker Swarm, in Chromium through `obsdeck serve`, as a user goes: Start on
// Swarm (on an engine in no swarm the view first says what making it a single-node swarm
// changes) with 3 API replicas → each card shows its replicas and tasks → Scale the API to 5 →
// the Targets view shows 5 API targets, each named by its task and node → Logs name the task
// on each line → Stop removes the services and keeps the volumes. Screenshots of the Stack and
// Targets views with 5 replicas go to test-results/screenshots.
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../scripts/lib/chromium.js';
import { loadSpec } from '../../main/config/project.js';
import { SWARM_LABEL, SwarmStack } from '../../main/swarm/swarm.js';
import { e2eEnv, removeProject } from '../helpers/e2e.js';
import { startServe } from '../helpers/serve.js';

const shots = path.resolve('test-results', 'screenshots');
const docker = new Docker();
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'obsdeck-e2e-swarm-'));
const project = `obsdeck-e2e-swarm-${process.pid}`;
let browser: Browser;
let server: ChildProcess | undefined;
let page: Page;
let env: NodeJS.ProcessEnv;
let madeSwarm = false;

const card = (service: string) => page.getByRole('article', { name: `service ${service}` });
const nav = (view: string) => page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: view }).click();

beforeAll(async () => {
  fs.mkdirSync(shots, { recursive: true });
  env = await e2eEnv(project, home);
  browser = await launchChromium();
  const info = (await docker.info()) as { Swarm?: { LocalNodeState?: string } };
  madeSwarm = info.Swarm?.LocalNodeState !== 'active';
}, 60_000);

afterAll(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
  // Whatever the test left on Swarm, then the swarm itself when this test made it.
  const { spec } = loadSpec({ env, data: home });
  await new SwarmStack(docker, spec).down(undefined, { volumes: true }).catch(() => undefined);
  if (madeSwarm) await docker.swarmLeave({ force: true }).catch((err: unknown) => console.error(err));
  await removeProject(docker, project, home);
}, 180_000);

describe('the Stack view on Docker Swarm', () => {
  it('starts the stack on Swarm with 3 API replicas, saying first what a swarm changes', async () => {
    const started = await startServe(env);
    server = started.child;
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(started.url);
    const replicas = page.getByRole('spinbutton', { name: 'API replicas' });
    await replicas.fill('3');
    await page.getByRole('button', { name: 'Start on Swarm' }).click();
    if (madeSwarm) {
      const ask = page.getByRole('dialog', { name: 'Make this engine a swarm' });
      expect(await ask.textContent()).toMatch(/advertises 127\.0\.0\.1 only.*docker_gwbridge.*docker swarm leave --force/s);
      await ask.getByRole('button', { name: 'Make it a swarm and start' }).click();
    }
    await page.getByLabel('target', { exact: true }).filter({ hasText: 'on Swarm' }).waitFor({ timeout: 180_000 });
    await card('api_poc3').getByLabel('replicas', { exact: true }).filter({ hasText: '3/3' }).waitFor({ timeout: 120_000 });
    for (const s of ['api_poc3', 'prometheus', 'alertmanager']) await card(s).getByLabel('state', { exact: true }).filter({ hasText: 'ready' }).waitFor({ timeout: 120_000 });
    const rows = card('api_poc3').getByRole('table', { name: 'tasks of api_poc3' }).locator('tbody tr[data-state=running]');
    expect((await rows.locator('td:first-child').allTextContents()).sort()).toEqual(['api_poc3.1', 'api_poc3.2', 'api_poc3.3']);
    // Per-container buttons make no sense for services: the card offers Scale instead.
    expect(await card('api_poc3').getByRole('button', { name: 'Restart' }).count()).toBe(0);
    // And Start of plain containers waits until the Swarm stack is stopped.
    expect(await page.getByRole('button', { name: 'Start', exact: true }).isDisabled()).toBe(true);
    expect(await card('api_poc3').locator('dt:text-is("Uptime") + dd').textContent()).toMatch(/^\d+s$/); // from its oldest replica
    // Its vitals are its three tasks' here, summed (one node: none out of reach).
    await card('api_poc3').getByLabel('vitals tasks').filter({ hasText: /^3 tasks on this engine$/ }).waitFor({ timeout: 30_000 });
    expect(Number(await card('api_poc3').getByLabel('vitals of api_poc3').getAttribute('data-memory'))).toBeGreaterThan(3 * (1 << 20));
  }, 300_000);

  it('scales the API to 5 from its card, and the Targets view shows each replica with its task and node', async () => {
    const scale = card('api_poc3').getByRole('form', { name: 'scale api_poc3' });
    await scale.getByRole('spinbutton', { name: 'Replicas' }).fill('5');
    await scale.getByRole('button', { name: 'Scale' }).click();
    await card('api_poc3').getByLabel('replicas', { exact: true }).filter({ hasText: '5/5' }).waitFor({ timeout: 120_000 });
    await card('api_poc3').getByLabel('state', { exact: true }).filter({ hasText: 'ready' }).waitFor({ timeout: 60_000 });
    expect(await card('api_poc3').locator('tbody tr[data-state=running]').count()).toBe(5);
    await page.screenshot({ path: path.join(shots, 'swarm-stack-5-replicas.png'), fullPage: true });

    await nav('Targets');
    const apiRows = page.locator('tr[aria-label="target poc3-security"]');
    // Prometheus re-resolves tasks.api_poc3 every 5 s and scrapes every 5 s.
    await expect.poll(async () => {
      await page.reload();
      await apiRows.first().waitFor({ timeout: 10_000 }).catch(() => undefined);
      return (await apiRows.filter({ has: page.locator('.badge.good') }).count());
    }, { timeout: 90_000, interval: 3000 }).toBe(5);
    const tasks = (await apiRows.getByLabel('task', { exact: true }).allTextContents()).map((t) => /task (api_poc3\.\d+) on (\S+)/.exec(t)?.[1]);
    expect(tasks.sort()).toEqual(['api_poc3.1', 'api_poc3.2', 'api_poc3.3', 'api_poc3.4', 'api_poc3.5']);
    await page.screenshot({ path: path.join(shots, 'swarm-targets-5-replicas.png'), fullPage: true });
  }, 240_000);

  it('names the task on each log line', async () => {
    await nav('Logs');
    await expect.poll(async () => new Set(await page.locator('.svc').allTextContents().then((l) => l.filter((x) => x.startsWith('api_poc3.')))).size, { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
  }, 60_000);

  it('stops the whole stack on Swarm, keeping its data volumes', async () => {
    await nav('Stack');
    await page.getByRole('button', { name: 'Stop', exact: true }).first().click();
    await page.getByLabel('target', { exact: true }).filter({ hasText: 'on Swarm' }).waitFor({ state: 'detached', timeout: 120_000 });
    // Done when the view offers Start on Swarm again (disabled while the stop is under way).
    await expect.poll(() => page.getByRole('button', { name: 'Start on Swarm' }).isEnabled().catch(() => false), { timeout: 120_000 }).toBe(true);
    const filter = { label: [`${SWARM_LABEL}=${project}`] };
    expect(await docker.listServices({ filters: filter })).toEqual([]);
    expect(await docker.listContainers({ all: true, filters: filter })).toEqual([]);
    expect(((await docker.listVolumes({ filters: filter })).Volumes ?? []).map((v) => v.Name)).toEqual(expect.arrayContaining([`${project}_api_data`]));
  }, 180_000);
});
