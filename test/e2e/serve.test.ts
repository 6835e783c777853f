// The UI in a real browser through `obsdeck serve`: what a person opening the printed URL sees.
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
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
    expect(page.url()).not.toContain('token='); // traded for a cookie
    const engine = page.getByLabel('Docker engine');
    await expect.poll(async () => engine.textContent(), { timeout: 15_000 }).toMatch(/Docker \d+\.\d+.*\(API 1\.\d+, linux\/\w+\)/);
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

  it('shows nothing without the token', async () => {
    const page = await browser.newPage();
    const res = await page.goto(url.replace(/\?token=.*/, ''));
    expect(res?.status()).toBe(401);
  });
});
