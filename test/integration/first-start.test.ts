// A new user's first Start, with no image variables set (the way CI and a fresh clone run):
// where the upstream images cannot be pulled and the stand-ins are on the engine, Start runs the
// stand-ins and the cards say so; a service whose image cannot be had at all (Grafana, here) is
// shown unavailable in one line, and the others start.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Host } from '../../main/host/host.js';
import { STAND_INS } from '../../main/stack/stand-ins.js';
import { waitFor } from '../helpers/http.js';
import { requireImages, testImages } from '../helpers/images.js';
import { removeStack, stackEnv } from '../helpers/stack.js';

const docker = new Docker();
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'obsdeck-first-'));
const project = `obsdeck-first-${process.pid}`;
let host: Host;
const has = (tag: string) => docker.getImage(tag).inspect().then(() => true, () => false);
const reachable = (tag: string) => docker.getImage(tag).distribution().then(() => true, () => false);

beforeAll(async () => {
  await requireImages(docker, [testImages.api]);
  const env = await stackEnv(project, home);
  // As a fresh clone runs: the compose file's own images, no overrides.
  delete env.PROMETHEUS_IMAGE;
  delete env.ALERTMANAGER_IMAGE;
  host = new Host({ env, data: home, webhook: false });
  await host.start();
}, 60_000);

afterAll(async () => {
  host.close();
  await removeStack(host.runtime.maybeStack(), home);
}, 120_000);

describe('the first Start on a machine without a registry', () => {
  it('runs the stand-ins where the upstream images cannot be had, skips what cannot start, and says why in one line', async () => {
    const spec = host.runtime.stack().spec;
    const prometheus = spec.services.find((s) => s.name === 'prometheus')!;
    const upstream = prometheus.standInFor ?? prometheus.image;
    const offline = !(await has(upstream)) && !(await reachable(upstream)) && (await has(STAND_INS.prometheus!));
    if (offline) {
      expect(prometheus.image).toBe(STAND_INS.prometheus);
      expect(prometheus.standInFor).toMatch(/^prom\/prometheus:/);
    }
    const grafana = spec.services.find((s) => s.name === 'grafana')!;
    const grafanaMissing = !(await has(grafana.image)) && !(await reachable(grafana.image));
    await host.handle('stack:up', {}, host.connect(() => undefined));
    // The live status catches up with the probes a moment after Start answers.
    const snap = await waitFor('the three services shown running and ready', async () => {
      const now = host.runtime.snapshot();
      return ['api_poc3', 'prometheus', 'alertmanager'].every((n) => now.services.find((s) => s.service === n)?.ready) ? now : undefined;
    }, 30_000, 200);
    const by = (name: string) => snap.services.find((s) => s.service === name)!;
    for (const name of ['api_poc3', 'prometheus', 'alertmanager']) expect(by(name)).toMatchObject({ state: 'running', ready: true });
    if (offline) expect(by('prometheus').standInFor).toBe(upstream);
    if (grafanaMissing) {
      expect(by('grafana').state).toBe('missing');
      expect(by('grafana').unavailable?.why).toMatch(/^image unavailable: \S*grafana\S* is not on the engine and cannot be pulled; import a tarball of it \(Images → Import\), or choose an image that is on the engine \(Images → Change\)$/);
      expect(by('grafana').unavailable?.details).toMatch(/cannot be pulled \(/); // the engine's own words, behind "details"
    }
  }, 180_000);
});
