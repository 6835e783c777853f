// Makes sure what the integration tests need is here: a Docker engine (the user's, or Debian's
// dockerd started here) and the stack's images (upstream where present or pullable, otherwise
// built locally from Debian's packages). Each install or start is announced in one line.
import fs from 'node:fs';
import type Docker from 'dockerode';
import { DEFAULT_NODE_IMAGE, buildApiImage } from './api-image.js';
import { LOCAL_IMAGES, buildLocalImages } from './images-local.js';
import { aptInstall, canApt } from './lib/apt.js';
import { composeImageDefaults } from './lib/compose-images.js';
import { ensureDockerEngine } from './lib/docker-engine.js';
import { say, which } from './lib/proc.js';

/** The upstream images the stack pins; PROMETHEUS_IMAGE, ALERTMANAGER_IMAGE and NODE_IMAGE override. */
const pinned = composeImageDefaults();
export const UPSTREAM_IMAGES = {
  prometheus: pinned.PROMETHEUS_IMAGE ?? 'prom/prometheus',
  alertmanager: pinned.ALERTMANAGER_IMAGE ?? 'prom/alertmanager',
  // The host's exact Node, not the compose default: the API image carries an addon built here.
  node: DEFAULT_NODE_IMAGE,
} as const;
type Key = keyof typeof UPSTREAM_IMAGES;
const ENV: Record<Key, string> = { prometheus: 'PROMETHEUS_IMAGE', alertmanager: 'ALERTMANAGER_IMAGE', node: 'NODE_IMAGE' };

async function present(docker: Docker, tag: string): Promise<boolean> {
  try {
    await docker.getImage(tag).inspect();
    return true;
  } catch {
    return false;
  }
}

/** Pulls `tag`; resolves to the error's first line when it cannot be had. */
async function pull(docker: Docker, tag: string): Promise<string | undefined> {
  try {
    const stream = await docker.pull(tag);
    await new Promise<void>((resolve, reject) => {
      docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve()));
    });
    return undefined;
  } catch (err) {
    return (err instanceof Error ? err.message : String(err)).split('\n')[0];
  }
}

export type StackImages = Record<Key | 'api', string>;

/** Debian's docker-compose (1.29), the peer tool users reach for, runs the compose file in a test. */
async function ensureDockerCompose(): Promise<void> {
  if (which('docker-compose') !== undefined) return;
  await aptInstall(['docker-compose'], 'the stack test runs observability/docker-compose.yml with it');
}

/**
 * The remote-engine test's host: an sshd (Debian's openssh-server, not started as a service)
 * and iproute2 for its network namespace. Where apt cannot run, the test skips, saying why.
 */
async function ensureRemoteHostTools(): Promise<void> {
  const missing = [['/usr/sbin/sshd', 'openssh-server'], ['/usr/bin/ssh-keygen', 'openssh-client'], ['/usr/sbin/ip', 'iproute2']].filter(([bin]) => !fs.existsSync(bin!)).map(([, pkg]) => pkg!);
  if (missing.length && canApt()) await aptInstall(missing, 'the remote-engine test runs an sshd and a second dockerd in a network namespace');
}

/** `compose: false` (npm start): the app does not need Debian's docker-compose, only the tests do. */
export async function ensurePrerequisites(opts: { compose?: boolean } = {}): Promise<{ docker: Docker; images: StackImages }> {
  const docker = await ensureDockerEngine();
  if (opts.compose !== false) {
    await ensureDockerCompose();
    await ensureRemoteHostTools();
  }
  const images = {} as StackImages;
  const local: Key[] = [];
  let why = '';
  for (const key of Object.keys(UPSTREAM_IMAGES) as Key[]) {
    const override = process.env[ENV[key]];
    const tag = override ?? UPSTREAM_IMAGES[key];
    if (await present(docker, tag)) {
      images[key] = tag;
      continue;
    }
    const failure = override?.startsWith('obsdeck-local/') ? 'a local image' : await pull(docker, tag);
    if (failure === undefined) {
      say(`pulled ${tag}`);
      images[key] = tag;
    } else if (override && !override.startsWith('obsdeck-local/')) {
      throw new Error(`${ENV[key]}=${override} is not present and cannot be pulled: ${failure}`);
    } else {
      local.push(key);
      why ||= failure;
    }
  }
  if (local.length) {
    say(`using obsdeck-local images for ${local.join(', ')}: the upstream ones cannot be pulled (${why})`);
    await buildLocalImages(docker, local);
    for (const key of local) images[key] = LOCAL_IMAGES[key];
  }
  // Built here, once, rather than by each test file: the build stages api/.image, which
  // concurrent builds would trample.
  images.api = await buildApiImage(docker, images.node);
  return { docker, images };
}
