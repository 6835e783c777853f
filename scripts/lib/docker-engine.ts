// Makes sure a Docker engine answers, for the tests: the one the user has (DOCKER_HOST, Docker
// Desktop's socket), or on a bare Debian machine as root, Debian's docker.io started here.
import Docker from 'dockerode';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { aptInstall, canApt } from './apt.js';
import { say, sleep, which } from './proc.js';

async function answers(docker: Docker): Promise<boolean> {
  try {
    await Promise.race([docker.ping(), sleep(3000).then(() => Promise.reject(new Error('timeout')))]);
    return true;
  } catch {
    return false;
  }
}

/** Written when this script starts dockerd: only such a dockerd may be restarted by a test. */
const OUR_DOCKERD = '/run/obsdeck-dockerd.pid';

/** True when the running dockerd is one this script started (so a test may stop and start it). */
export function dockerdIsOurs(): boolean {
  try {
    const ours = fs.readFileSync(OUR_DOCKERD, 'utf8').trim();
    return !process.env.DOCKER_HOST && ours !== '' && fs.readFileSync('/var/run/docker.pid', 'utf8').trim() === ours;
  } catch {
    return false;
  }
}

export async function ensureDockerEngine(): Promise<Docker> {
  const docker = new Docker();
  if (await answers(docker)) return docker;
  if (process.env.DOCKER_HOST) {
    throw new Error(`no Docker engine answers at DOCKER_HOST=${process.env.DOCKER_HOST}; start it or unset DOCKER_HOST`);
  }
  if (!canApt()) {
    throw new Error('no Docker engine answers on /var/run/docker.sock: start Docker Desktop, Colima, Rancher Desktop or Podman, or set DOCKER_HOST');
  }
  if (!which('dockerd')) await aptInstall(['docker.io'], 'no Docker engine answers and dockerd is not installed');
  const log = '/var/log/obsdeck-dockerd.log';
  say(`starting dockerd in the background (log: ${log}): no Docker engine answers on /var/run/docker.sock`);
  const out = fs.openSync(log, 'a');
  const child = spawn('dockerd', [], { detached: true, stdio: ['ignore', out, out] });
  child.unref();
  if (child.pid) fs.writeFileSync(OUR_DOCKERD, String(child.pid));
  for (let i = 0; i < 120; i++) {
    if (child.exitCode !== null) break;
    if (await answers(docker)) return docker;
    await sleep(500);
  }
  const tail = fs.readFileSync(log, 'utf8').split('\n').slice(-10).join('\n');
  throw new Error(`dockerd did not answer within 60 s; the end of ${log}:\n${tail}`);
}
