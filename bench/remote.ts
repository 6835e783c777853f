// Start on a remote engine over SSH against the same Start on the local engine (target: remote ≤
// 1.5× local). The remote is the one the remote-engine test makes (test/helpers/remote-host.ts):
// a second dockerd and an sshd in a network namespace, at an address this bench assigns, with
// the same images loaded. Both sides are the app's own Start (the Host, as the app and `obsdeck
// serve` run it), from nothing (no containers, network or volumes) to every service ready; Stop
// with the volumes between rounds is not timed. Rounds alternate; the A/A line is the local
// Start against itself.
// Run: npm run bench:remote  (ROUNDS; images as for npm test. Needs root, iproute2, sshd.)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { Host, type Session } from '../main/host/host.js';
import { testImages } from '../test/helpers/images.js';
import { freePort } from '../test/helpers/net.js';
import { cannotMakeRemoteHost, makeRemoteHost, type RemoteHost } from '../test/helpers/remote-host.js';
import { alternate, roundsFromEnv, summarize } from './lib.js';

const why = cannotMakeRemoteHost();
if (why) {
  console.error(`bench:remote needs a network namespace with a dockerd and an sshd: ${why}`);
  process.exit(2);
}
const ROUNDS = roundsFromEnv();
const SERVICES = ['api_poc3', 'prometheus', 'alertmanager'];
const images = [testImages.api, testImages.prometheus, testImages.alertmanager];
for (const image of images) {
  await new Docker().getImage(image).inspect().catch(() => {
    console.error(`${image} is not on this engine: run \`npm test\` once (it builds the local images), or set the *_IMAGE variables`);
    process.exit(2);
  });
}

/** A Host of its own (the remote one without the user's SSH agent: the key made for the remote host signs in). */
async function hostFor(name: 'remote' | 'local', extra: NodeJS.ProcessEnv): Promise<{ host: Host; session: Session; home: string }> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), `obsdeck-bench-${name}-`));
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => name === 'local' || k !== 'SSH_AUTH_SOCK'));
  const env: NodeJS.ProcessEnv = {
    ...inherited, OBSDECK_HOME: home, OBSDECK_PROJECT: `obsdeck-bench-${name}`, OBSDECK_VITALS_MS: '0',
    PROMETHEUS_IMAGE: testImages.prometheus, ALERTMANAGER_IMAGE: testImages.alertmanager, API_IMAGE: testImages.api,
    API_PORT: String(await freePort()), PROMETHEUS_PORT: String(await freePort()), ALERTMANAGER_PORT: String(await freePort()), GRAFANA_PORT: String(await freePort()),
    ...extra,
  };
  const host = new Host({ env, data: home, defaultServices: SERVICES });
  await host.start();
  return { host, session: host.connect(() => undefined), home };
}

/** One Start from nothing, timed; then Stop with the volumes (not timed). */
async function start(side: { host: Host; session: Session }): Promise<number> {
  await side.host.handle('stack:down', { volumes: true }, side.session);
  const t = performance.now();
  const snap = await side.host.handle('stack:up', {}, side.session) as { services: { service: string; state: string; ready?: boolean }[] };
  const ms = performance.now() - t;
  const notReady = snap.services.filter((s) => SERVICES.includes(s.service) && !(s.state === 'running' && s.ready));
  if (notReady.length) throw new Error(`not ready after Start: ${notReady.map((s) => `${s.service} ${s.state}`).join(', ')}`);
  await side.host.handle('stack:down', { volumes: true }, side.session);
  return ms;
}

let remote: RemoteHost | undefined;
const sides: { host: Host; home: string }[] = [];
try {
  console.log('making the remote host (a dockerd and an sshd in a network namespace) and loading the images there…');
  remote = await makeRemoteHost(images);
  const there = await hostFor('remote', { DOCKER_HOST: remote.endpoint, OBSDECK_SSH_KEY: remote.keyFile, OBSDECK_SSH_KNOWN_HOSTS: remote.knownHosts });
  const here = await hostFor('local', {});
  sides.push(there, here);
  const r = await alternate(ROUNDS, () => start(there), () => start(here),
    (n, a, b, b2) => console.log(`round ${n}: remote ${(a / 1000).toFixed(1)} s, local ${(b / 1000).toFixed(1)} s / ${(b2 / 1000).toFixed(1)} s`));
  summarize({ ours: 'remote Start', theirs: 'local Start', unit: 'ms to every service ready, lower is better; target: remote / local ≤ 1.5' }, r.ours, r.theirs, r.again);
} finally {
  for (const s of sides) {
    await s.host.handle('stack:down', { volumes: true }, s.host.connect(() => undefined)).catch(() => undefined);
    s.host.close();
    fs.rmSync(s.home, { recursive: true, force: true });
  }
  await remote?.stop();
}
process.exit(0);
