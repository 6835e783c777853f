// Installs Debian packages for the test set-up, only on a Debian-like machine where we are root.
import fs from 'node:fs';
import { run, say, which } from './proc.js';

let updated = false;

export function canApt(): boolean {
  return process.platform === 'linux' && process.getuid?.() === 0 && which('apt-get') !== undefined;
}

/**
 * Installs `packages` with apt-get, announcing why. Services the packages ship are not started
 * (a policy-rc.d denies it for the duration), so installing prometheus does not run a second
 * Prometheus on the machine.
 */
export async function aptInstall(packages: string[], why: string): Promise<void> {
  if (!canApt()) throw new Error(`cannot install ${packages.join(', ')} (${why}): apt-get as root is not available here`);
  say(`installing ${packages.join(', ')} from Debian's archive: ${why}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!updated) {
    await run('apt-get', ['update', '-q'], { env, quiet: true });
    updated = true;
  }
  const policy = '/usr/sbin/policy-rc.d';
  const ownPolicy = !fs.existsSync(policy);
  if (ownPolicy) fs.writeFileSync(policy, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
  try {
    await run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...packages], { env, quiet: true });
  } finally {
    if (ownPolicy) fs.rmSync(policy, { force: true });
  }
}
