// The browser for end-to-end tests: CHROMIUM_PATH, an installed Chromium, or Debian's chromium
// installed here (no browser download is possible or wanted).
import fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { aptInstall, canApt } from './apt.js';
import { which } from './proc.js';

export async function ensureChromium(): Promise<string> {
  const given = process.env.CHROMIUM_PATH;
  if (given) {
    if (!fs.existsSync(given)) throw new Error(`CHROMIUM_PATH=${given} does not exist`);
    return given;
  }
  const found = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'].map(which).find(Boolean);
  if (found) return found;
  if (!canApt()) throw new Error('no Chromium found for the end-to-end tests: install Chromium or Chrome, or set CHROMIUM_PATH');
  await aptInstall(['chromium'], 'the end-to-end tests drive the UI in a real browser and none is installed');
  const installed = which('chromium');
  if (!installed) throw new Error('chromium was installed but is not on PATH');
  return installed;
}

/** Flags for headless Chromium on a machine with no network beyond loopback. */
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic',
];

/** The tests' and benches' Chromium: CHROMIUM_PATH (what `npm test` installed) or Debian's, with CHROMIUM_ARGS. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
}
