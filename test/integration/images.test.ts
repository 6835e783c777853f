// The Images panel's requests on the real engine, through the host as the UI sends them: the
// list (on the engine, origin, size), a chosen image kept in the app's settings, Pull from a
// registry with each layer's progress, Export to one tarball and Import it back after the image
// was removed, and the installer's bundled tarball imported on first start.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Channel, ContractError, ImageInfo, PullProgress, Replies, RequestArgs, StackEvent } from '../../main/contract.js';
import type { ContractFailure } from '../../main/host/errors.js';
import { Host } from '../../main/host/host.js';
import { importBundled } from '../../main/images/images.js';
import { readSettings } from '../../main/images/settings.js';
import { requireImages, testImages } from '../helpers/images.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { stackEnv } from '../helpers/stack.js';

const docker = new Docker();
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'obsdeck-images-'));
const project = `obsdeck-it-images-${process.pid}`;
/** An alias of the alertmanager image, so removing and importing it touches nothing else. */
const alias = { repo: `obsdeck-it-images-${process.pid}/alertmanager`, tag: 'export' };
const aliasRef = `${alias.repo}:${alias.tag}`;
let host: Host;
let registry: TestRegistry;
const events: { pull: PullProgress[]; progress: StackEvent[] } = { pull: [], progress: [] };
/** A connection's session; the events are collected once, by the listener beforeAll connects. */
const session = () => host.connect(() => undefined);
const has = (ref: string) => docker.getImage(ref).inspect().then(() => true, () => false);
const ask = <C extends Channel>(channel: C, args: RequestArgs<C>, s = session()) => host.handle(channel, args, s) as Promise<Replies[C]>;
const refused = (p: Promise<unknown>): Promise<ContractError> => p.then(() => { throw new Error('expected a refusal'); }, (e: unknown) => (e as ContractFailure).error);
const of = (images: ImageInfo[], service: string) => images.find((i) => i.service === service)!;

beforeAll(async () => {
  await requireImages(docker, [testImages.api, testImages.alertmanager, testImages.prometheus]);
  await docker.getImage(testImages.alertmanager).tag(alias);
  registry = await startRegistry(`obsdeck-it/pull-${process.pid}`, '1');
  host = new Host({ env: await stackEnv(project, home), data: home, webhook: false });
  await host.start();
  host.runtime.subscribe((event, payload) => {
    if (event === 'images:pull') events.pull.push(payload as PullProgress);
    if (event === 'stack:progress') events.progress.push(payload as StackEvent);
  });
}, 60_000);

afterAll(async () => {
  host.close();
  await registry?.close();
  for (const ref of [aliasRef, registry?.image]) if (ref) await docker.getImage(ref).remove({ force: true }).catch(() => undefined);
  fs.rmSync(home, { recursive: true, force: true });
}, 60_000);

describe('the Images panel', () => {
  it('lists what each service will run: on the engine or not, where it came from, its size', async () => {
    const { images, exportTo } = await ask('images:list', {});
    expect(of(images, 'api_poc3')).toMatchObject({ image: testImages.api, onEngine: true, origin: 'built' });
    expect(of(images, 'api_poc3').size).toBeGreaterThan(10 << 20);
    if (testImages.prometheus.startsWith('obsdeck-local/')) expect(of(images, 'prometheus').origin).toBe('stand-in');
    expect(images.map((i) => i.service).sort()).toEqual(['alertmanager', 'api_poc3', 'grafana', 'prometheus']);
    expect(exportTo.startsWith(path.join(home, 'exports'))).toBe(true);
  });

  it('keeps a chosen image in the app\'s settings and runs it; null goes back to the compose file\'s', async () => {
    const { images } = await ask('images:choose', { service: 'alertmanager', image: aliasRef });
    expect(of(images, 'alertmanager')).toMatchObject({ image: aliasRef, onEngine: true, chosenOver: testImages.alertmanager });
    expect(readSettings(home).images).toEqual({ alertmanager: aliasRef });
    expect(host.runtime.stack().service('alertmanager').image).toBe(aliasRef);
    const bad = await refused(ask('images:choose', { service: 'alertmanager', image: 'Not An Image!' }));
    expect(bad).toMatchObject({ code: 'BAD_REQUEST' });
    expect(bad.message).toMatch(/image reference/);
  });

  it('pulls with each layer\'s progress, and a second click joins the pull under way', async () => {
    await ask('images:choose', { service: 'grafana', image: registry.image });
    events.pull.length = 0;
    const s = session();
    const [a, b] = await Promise.all([ask('images:pull', { service: 'grafana' }, s), ask('images:pull', { service: 'grafana' }, s)]);
    expect(of(a.images, 'grafana')).toMatchObject({ image: registry.image, onEngine: true, origin: 'upstream' });
    expect(of(b.images, 'grafana').onEngine).toBe(true);
    const ends = events.pull.filter((p) => p.done);
    expect(ends).toHaveLength(1); // one pull, not two
    expect(ends[0]!.error).toBeUndefined();
    // Every layer, by the short id `docker pull` shows, with its size as the registry serves it.
    const last = ends[0]!.layers;
    expect(last.map((l) => l.id).sort()).toEqual(registry.layers.map((l) => l.digest.slice(7, 19)).sort());
    for (const l of registry.layers) expect(last.find((x) => x.id === l.digest.slice(7, 19))).toMatchObject({ status: 'Pull complete', total: l.size, current: l.size });
    expect(await has(registry.image)).toBe(true);
  });

  it('says why a pull fails, with the registry\'s words', async () => {
    await ask('images:choose', { service: 'grafana', image: `${registry.host}/obsdeck-it/absent:1` });
    const err = await refused(ask('images:pull', { service: 'grafana' }));
    expect(err.code).toBe('IMAGE_FAILED');
    expect(err.message).toContain(`cannot pull ${registry.host}/obsdeck-it/absent:1`);
    await ask('images:choose', { service: 'grafana', image: null });
  });

  it('exports the stack\'s images to one tarball, never over a file, and imports it back after an image is removed', async () => {
    const file = path.join(home, 'out', 'stack.tar');
    const exported = await ask('images:export', { file });
    expect(exported.images).toEqual(expect.arrayContaining([testImages.api, aliasRef]));
    expect(exported.bytes).toBe(fs.statSync(file).size);
    const again = await refused(ask('images:export', { file }));
    expect(again).toMatchObject({ code: 'IMAGE_FAILED' });
    expect(again.message).toContain('already exists');
    expect(fs.statSync(file).size).toBe(exported.bytes);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['stack.tar']); // no partial file left

    await docker.getImage(aliasRef).remove();
    expect(of((await ask('images:list', {})).images, 'alertmanager').onEngine).toBe(false);
    const imported = await ask('images:import', { file });
    expect(imported.loaded).toContain(aliasRef);
    expect(of(imported.images, 'alertmanager')).toMatchObject({ onEngine: true, origin: 'imported' });

    const notTar = path.join(home, 'notes.txt');
    fs.writeFileSync(notTar, 'not an image\n'.repeat(100));
    const wrong = await refused(ask('images:import', { file: notTar }));
    expect(wrong).toMatchObject({ code: 'IMAGE_FAILED' });
    expect(wrong.message).toMatch(/not an image tarball/);
  }, 180_000);

  it('imports the installer\'s bundled images on first start when they are missing, and leaves them be when they are there', async () => {
    const resources = path.join(home, 'resources', 'images');
    fs.mkdirSync(resources, { recursive: true });
    const tarball = path.join(resources, 'obsdeck-images.tar');
    fs.renameSync(path.join(home, 'out', 'stack.tar'), tarball);
    await docker.getImage(aliasRef).remove();
    const fresh = fs.mkdtempSync(path.join(os.tmpdir(), 'obsdeck-images-first-'));
    const first = new Host({ env: await stackEnv(`${project}-first`, fresh), data: fresh, webhook: false, bundledImages: tarball });
    const seen: StackEvent[] = [];
    first.runtime.subscribe((event, payload) => {
      if (event === 'stack:progress') seen.push(payload as StackEvent);
    });
    try {
      await first.start();
      expect(await has(aliasRef)).toBe(true);
      expect(seen.find((e) => e.state === 'done')?.message).toMatch(/imported the bundled images: .*alertmanager:export/);
      expect(Object.values(readSettings(fresh).imported).map((x) => x.from)).toContain('obsdeck-images.tar');
      expect(await importBundled(docker, tarball, fresh)).toEqual([]); // all there: nothing to do
    } finally {
      first.close();
      fs.rmSync(fresh, { recursive: true, force: true });
    }
  }, 180_000);
});
