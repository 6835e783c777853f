// The UI in a real browser through `obsdeck serve`: what a person opening the printed URL sees.
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../scripts/lib/chromium.js';
import { startServe } from '../helpers/serve.js';

const shots = path.resolve('test-results', 'screenshots');
let browser: Browser;
let server: ChildProcess;
let url: string;


beforeAll(async () => {
  if (!fs.existsSync('dist/renderer/index.html')) throw new Error('the renderer is not built; scripts/test.ts builds it before this suite');
  fs.mkdirSync(shots, { recursive: true });
  browser = await launchChromium();
  ({ child: server, url } = await startServe(process.env));
});

afterAll(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
});

describe('obsdeck serve in a browser', () => {
  it('shows the Docker engine it found', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(url);
    const engine = page.getByLabel('Docker engine');
    await expect.poll(async () => engine.textContent(), { timeout: 15_000 }).toMatch(/Docker \d+\.\d+.*\(API 1\.\d+, linux\/\w+\)/);
    expect(page.url()).not.toContain('token='); // kept in the page's own storage, dropped from the address
    await page.screenshot({ path: path.join(shots, 'engine-found.png') });
  });

  it('says what to do when no engine answers', async () => {
    const { child, url: otherUrl } = await startServe({ ...process.env, DOCKER_HOST: 'tcp://127.0.0.1:9' });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(otherUrl);
      const alert = page.getByRole('alert');
      await expect.poll(async () => alert.textContent(), { timeout: 15_000 }).toMatch(/No Docker engine is reachable/);
      expect(await alert.textContent()).toMatch(/DOCKER_HOST=tcp:\/\/127\.0\.0\.1:9/);
      await page.screenshot({ path: path.join(shots, 'engine-missing.png') });
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('shows nothing without the token, and says what to open', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(url.replace(/\?token=.*/, ''));
      await expect.poll(async () => page.getByLabel('No access').textContent(), { timeout: 15_000 }).toMatch(/Open the URL `obsdeck serve` printed/);
      expect(await page.getByLabel('Docker engine').textContent()).not.toMatch(/Docker \d/);
    } finally {
      await context.close();
    }
  });

  it('sends another server on 127.0.0.1 nothing that opens the app; a reload and a second tab still work', async () => {
    // A local process on another port of 127.0.0.1 (as Grafana's frame, Prometheus' UI or a
    // squatter would be) records every request the browser makes to it.
    const seen: http.IncomingHttpHeaders[] = [];
    const seenUrls: string[] = [];
    const other = http.createServer((req, res) => {
      seen.push(req.headers);
      seenUrls.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>elsewhere</title>');
    });
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(url);
      await expect.poll(async () => page.getByLabel('Docker engine').textContent(), { timeout: 15_000 }).toMatch(/Docker \d/);
      const port = (other.address() as AddressInfo).port;
      await page.goto(`http://127.0.0.1:${port}/anything`);
      const frame = await context.newPage();
      await frame.goto(`http://127.0.0.1:${port}/page`);
      expect(seen.length).toBeGreaterThanOrEqual(2);
      const token = new URL(url).searchParams.get('token')!;
      for (const h of seen) {
        expect(h.cookie).toBeUndefined();
        expect(JSON.stringify(h)).not.toContain(token);
      }
      expect(seenUrls.join(' ')).not.toContain(token);
      // Back to the app: a reload and a second tab open it without the token in the address.
      const app = new URL(url).origin;
      await page.goto(`${app}/?view=stack`);
      await page.reload();
      await expect.poll(async () => page.getByLabel('Docker engine').textContent(), { timeout: 15_000 }).toMatch(/Docker \d/);
      const second = await context.newPage();
      await second.goto(`${app}/?view=stack`);
      await expect.poll(async () => second.getByLabel('Docker engine').textContent(), { timeout: 15_000 }).toMatch(/Docker \d/);
    } finally {
      await context.close();
      other.close();
    }
  });
});
