// Every view against WCAG 2.1 AA (axe-core's rules) in Chromium, in the light and the dark
// theme, with the stack stopped and running: zero serious or critical violations. And the layout
// holds from 800 px to 1920 px wide: nothing wider than the window, the header whole.
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import Docker from 'dockerode';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../scripts/lib/chromium.js';
import { e2eEnv, removeProject } from '../helpers/e2e.js';
import { startServe } from '../helpers/serve.js';

const VIEWS = ['stack', 'logs', 'targets', 'alerts', 'metrics', 'explore', 'config', 'grafana', 'objectives'];
const docker = new Docker();
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'obsdeck-a11y-'));
const project = `obsdeck-a11y-${process.pid}`;
const axe = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
let browser: Browser;
let server: ChildProcess;
let url: string;

interface Violation { id: string; impact: string; nodes: { target: string[]; failureSummary?: string }[] }

/** Per audited page: serious or critical elements, and moderate or minor ones (printed as the audit's count). */
const counts: string[] = [];

/** axe-core on the page as it is (injected past the CSP, as the context bypasses it). */
async function audit(page: Page, name: string): Promise<string[]> {
  await page.addScriptTag({ content: axe });
  // A string: it runs in the page (this file is type-checked without the DOM's types).
  const violations = await page.evaluate<Violation[]>("axe.run({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }).then((r) => r.violations)");
  const elements = (serious: boolean) => violations.filter((v) => (v.impact === 'serious' || v.impact === 'critical') === serious).reduce((n, v) => n + v.nodes.length, 0);
  counts.push(`${name.padEnd(30)} serious/critical: ${elements(true)}  moderate/minor: ${elements(false)}`);
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.nodes.length}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}; ${(v.nodes[0]?.failureSummary ?? '').replace(/\s+/g, ' ').slice(0, 240)}`);
}

async function auditEveryView(state: string): Promise<Record<string, string[]>> {
  const found: Record<string, string[]> = {};
  for (const colorScheme of ['light', 'dark'] as const) {
    const ctx = await browser.newContext({ bypassCSP: true, colorScheme, viewport: { width: 1280, height: 800 } });
    const page = await ctx.newPage();
    await page.goto(url);
    for (const view of VIEWS) {
      await page.goto(url.replace(/\/\?token=.*/, `/?view=${view}`));
      await page.getByRole('navigation', { name: 'Views' }).waitFor();
      await page.waitForTimeout(1000); // the view's first answers (targets, charts, editors)
      const v = await audit(page, `${state} ${colorScheme} ${view}`);
      if (v.length) found[`${state} ${colorScheme} ${view}`] = v;
    }
    await ctx.close();
  }
  return found;
}

beforeAll(async () => {
  const env = await e2eEnv(project, home, { OBSDECK_WEBHOOK_PORT: '0' });
  ({ child: server, url } = await startServe(env));
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
  await removeProject(docker, project, home);
}, 120_000);

describe('accessibility and layout', () => {
  it('every view passes WCAG 2.1 AA in both themes with the stack stopped, then running', async () => {
    const stopped = await auditEveryView('stopped');
    const ctx = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 800 } });
    const page = await ctx.newPage();
    await page.goto(url);
    await page.getByRole('button', { name: 'Start', exact: true }).first().click(); // the stack's, before the cards'
    for (const s of ['api_poc3', 'prometheus', 'alertmanager']) {
      await expect.poll(() => page.getByRole('article', { name: `service ${s}` }).getAttribute('data-ready'), { timeout: 120_000 }).toBe('true');
    }
    // The Stack view as it is right after Start: its progress steps (a scrolling list) shown.
    const afterStart = await audit(page, 'the Stack view after Start');
    await ctx.close();
    const running = { ...(afterStart.length ? { 'the Stack view after Start': afterStart } : {}), ...(await auditEveryView('running')) };
    console.log(`WCAG 2.1 AA audit (axe-core), elements in violation per view:\n${counts.join('\n')}`);
    expect({ ...stopped, ...running }).toEqual({});
  }, 300_000);

  it('holds from 800 px to 1920 px wide: nothing wider than the window, the header whole, every view', async () => {
    for (const width of [800, 1280, 1920]) {
      const page = await browser.newPage({ viewport: { width, height: 800 } });
      await page.goto(url);
      for (const view of VIEWS) {
        await page.goto(url.replace(/\/\?token=.*/, `/?view=${view}`));
        await page.getByRole('navigation', { name: 'Views' }).waitFor();
        const fit = await page.evaluate(`(() => {
          const cut = [...document.querySelectorAll('header *')].filter((el) => el.offsetParent !== null && el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflow !== 'visible');
          const wide = [...document.querySelectorAll('body *')].filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1).slice(0, 3).map((el) => el.className || el.tagName);
          return { page: document.documentElement.scrollWidth <= window.innerWidth + 1 ? true : wide, header: cut.map((el) => el.className || el.tagName) };
        })()`);
        expect(fit, `${view} at ${width} px`).toEqual({ page: true, header: [] });
      }
      await page.close();
    }
  }, 120_000);
});
