// The stack's images as a user manages them: what each service will run and whether it is here,
// where it came from and its size; pulling with each layer's progress; exporting the stack's
// images to one tarball and importing one (the Engine API's image save and load), so an
// air-gapped laptop is set up from a file; and the installer's bundled tarball, imported on
// first start when its images are missing.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type Docker from 'dockerode';
import { followProgress, idleBounded } from '../engine/deadline.js';
import { extract, pack } from 'tar-stream';
import type { ImageInfo, PullProgress } from '../contract.js';
import type { StackSpec } from '../stack/compose.js';
import { STAND_INS } from '../stack/stand-ins.js';
import { readSettings, updateSettings } from './settings.js';

export class ImageError extends Error {}

const isStandIn = (image: string) => Object.values(STAND_INS).includes(image) || image.startsWith('obsdeck-local/');

async function inspect(docker: Docker, image: string): Promise<Docker.ImageInspectInfo | undefined> {
  return docker.getImage(image).inspect().then((i) => i, () => undefined);
}

/** For each service of `spec`: the image it will run, whether the engine has it, its origin and size. */
export async function listImages(docker: Docker, spec: StackSpec, data: string): Promise<ImageInfo[]> {
  const { imported } = readSettings(data);
  return Promise.all(spec.services.map(async (s): Promise<ImageInfo> => {
    const found = await inspect(docker, s.image);
    const origin: ImageInfo['origin'] = isStandIn(s.image) ? 'stand-in' : found && imported[found.Id] ? 'imported' : s.build ? 'built' : 'upstream';
    return {
      service: s.name,
      image: s.image,
      onEngine: !!found,
      origin,
      ...(found ? { size: found.Size, id: found.Id } : {}),
      ...(s.standInFor ? { standInFor: s.standInFor } : {}),
      ...(s.chosenOver ? { chosenOver: s.chosenOver } : {}),
    };
  }));
}

interface PullEvent { id?: string; status?: string; progressDetail?: { current?: number; total?: number }; error?: string; errorDetail?: { message?: string } }

/**
 * Pulls `image`, reporting each layer (its status, and bytes while it downloads or extracts) at
 * most every `everyMs` and once at the end. A registry that cannot be reached fails with the
 * engine's words.
 */
export async function pullImage(docker: Docker, service: string, image: string, on: (p: PullProgress) => void, everyMs = 200): Promise<void> {
  const layers = new Map<string, PullProgress['layers'][number]>();
  let last = 0;
  const report = (done: boolean, error?: string) => on({ service, image, layers: [...layers.values()], done, ...(error ? { error } : {}) });
  let stream: NodeJS.ReadableStream;
  try {
    stream = await docker.pull(image);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    report(true, message);
    throw new ImageError(`cannot pull ${image}: ${message}`);
  }
  const onEvent = (e: PullEvent) => {
    // Layer lines carry a 12-hex id; the others ("Pulling from …", "Digest: …") are the pull's own.
    if (!e.id || !/^[a-f0-9]{12}$/.test(e.id)) return;
    const before = layers.get(e.id);
    const d = e.progressDetail ?? {};
    layers.set(e.id, { id: e.id, status: e.status ?? '', ...(d.total ? { current: d.current ?? 0, total: d.total } : before?.total && /complete|exists/i.test(e.status ?? '') ? { current: before.total, total: before.total } : {}) });
    const now = Date.now();
    if (now - last >= everyMs) {
      last = now;
      report(false);
    }
  };
  let failed: string | undefined;
  try {
    failed = (await followProgress<PullEvent>(docker, stream, `pulling ${image}`, onEvent)).find((e) => e.error)?.error;
  } catch (err) {
    failed = err instanceof Error ? err.message : String(err);
  }
  if (failed) {
    report(true, failed);
    throw new ImageError(`cannot pull ${image}: ${failed}`);
  }
  report(true);
}

/** A `docker save` manifest.json lists an entry per image: more than this is no tarball of ours. */
const MAX_MANIFEST = 1 << 20;

/** The image references a `docker save` tarball holds (its manifest.json), or why it is not one. */
export async function tarballImages(file: string): Promise<string[]> {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new ImageError(`${file} does not exist`);
  }
  if (!stat.isFile()) throw new ImageError(`${file} is not a file`);
  const ex = extract();
  let manifest: string | undefined;
  let tooBig: number | undefined;
  ex.on('entry', (header, body, next) => {
    if (header.name === 'manifest.json') {
      if ((header.size ?? 0) > MAX_MANIFEST) {
        tooBig = header.size;
        body.on('end', next);
        body.resume(); // passed over, never held
        return;
      }
      const chunks: Buffer[] = [];
      body.on('data', (c) => chunks.push(c as Buffer));
      body.on('end', () => {
        manifest = Buffer.concat(chunks).toString('utf8');
        next();
      });
    } else {
      body.on('end', next);
      body.resume();
    }
  });
  try {
    await pipeline(fs.createReadStream(file), ex);
  } catch (err) {
    throw new ImageError(`${file} is not an image tarball (${err instanceof Error ? err.message : String(err)}); make one with Export or \`docker save\``);
  }
  if (tooBig !== undefined) throw new ImageError(`${file} is not an image tarball of ours: its manifest.json is ${tooBig} bytes, more than ${MAX_MANIFEST}`);
  if (manifest === undefined) throw new ImageError(`${file} is not an image tarball (no manifest.json); make one with Export or \`docker save\``);
  try {
    const entries = JSON.parse(manifest) as { RepoTags?: string[] | null }[];
    return entries.flatMap((e) => e.RepoTags ?? []);
  } catch {
    throw new ImageError(`${file} has a damaged manifest.json`);
  }
}

/** Every image reference `spec` names (what runs, and what a stand-in or a choice stands for): what an Import loads unasked. */
export const stackReferences = (spec: StackSpec) => [...new Set(spec.services.flatMap((s) => [s.image, s.chosenOver, s.standInFor].filter((x): x is string => !!x)))];

/** The images `spec` runs, without repeats. */
export const stackImages = (spec: StackSpec) => [...new Set(spec.services.map((s) => s.image))];

/**
 * Writes the stack's images that are on the engine to one tarball at `file` (written beside it,
 * then renamed: a failed export leaves no partial tarball). An existing file is never replaced.
 */
export async function exportImages(docker: Docker, spec: StackSpec, file: string): Promise<{ file: string; bytes: number; images: string[]; missing: string[] }> {
  if (!path.isAbsolute(file)) throw new ImageError(`export to an absolute path, not ${file}`);
  if (fs.lstatSync(file, { throwIfNoEntry: false })) throw new ImageError(`${file} already exists; choose another name (Export never replaces a file)`);
  const present: string[] = [];
  const missing: string[] = [];
  for (const image of stackImages(spec)) ((await inspect(docker, image)) ? present : missing).push(image);
  if (!present.length) throw new ImageError(`none of the stack's images is on the engine (${missing.join(', ')}); there is nothing to export`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}.partial`;
  try {
    // GET /images/get?names=…: dockerode has the call, its types do not.
    const stream = await (docker as unknown as { getImages(o: { names: string[] }): Promise<NodeJS.ReadableStream> }).getImages({ names: present });
    await idleBounded(stream, pipeline(stream, fs.createWriteStream(partial, { flags: 'wx', mode: 0o600 })), `saving ${present.join(', ')}`);
    // link(), not rename(): it fails when anything (a file made meanwhile, a symlink, dangling or
    // not) has the name, where rename() would replace it.
    fs.linkSync(partial, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new ImageError(`${file} already exists; choose another name (Export never replaces a file)`);
    throw new ImageError(`cannot export to ${file}: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    fs.rmSync(partial, { force: true });
  }
  return { file, bytes: fs.statSync(file).size, images: present, missing };
}

/**
 * `file` with its manifest.json keeping only the tags `keep` (an image left with none is left
 * out) and no legacy `repositories` file, written beside it: the engine's load cannot be told
 * which tags to take, so the tarball is made to hold only those.
 */
async function onlyTags(file: string, keep: Set<string>): Promise<string> {
  const out = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.only.tar`;
  const ex = extract();
  const pk = pack();
  ex.on('entry', (header, body, next) => {
    if (header.name === 'repositories') {
      body.on('end', next);
      body.resume();
      return;
    }
    if (header.name !== 'manifest.json') {
      body.pipe(pk.entry(header, next));
      return;
    }
    const chunks: Buffer[] = [];
    body.on('data', (c) => chunks.push(c as Buffer));
    body.on('end', () => {
      const entries = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { RepoTags?: string[] | null }[])
        .map((e) => ({ ...e, RepoTags: (e.RepoTags ?? []).filter((t) => keep.has(t)) }))
        .filter((e) => e.RepoTags.length > 0);
      const text = JSON.stringify(entries);
      pk.entry({ ...header, size: Buffer.byteLength(text) }, text, next);
    });
  });
  ex.on('finish', () => pk.finalize());
  await Promise.all([pipeline(fs.createReadStream(file), ex), pipeline(pk, fs.createWriteStream(out, { flags: 'wx', mode: 0o600 }))]);
  return out;
}

/**
 * Loads a tarball made by Export or `docker save`, and records its images as imported (the
 * Images panel's origin). Only the tags in `allowed` (the stack's images) and `also` (others the
 * user confirmed) are loaded: a tarball must not silently re-point `alpine:latest` or another
 * project's image on the engine. Returns the references loaded, and the tags left out.
 */
export async function importImages(docker: Docker, file: string, data: string, opts: { allowed: string[]; also?: string[] }): Promise<{ loaded: string[]; skipped: string[] }> {
  const inside = await tarballImages(file);
  const keep = new Set([...opts.allowed, ...(opts.also ?? [])]);
  const skipped = inside.filter((t) => !keep.has(t));
  const taken = inside.filter((t) => keep.has(t));
  if (!taken.length) return { loaded: [], skipped };
  const source = skipped.length ? await onlyTags(file, keep) : file;
  try {
    const stream = await docker.loadImage(fs.createReadStream(source), { quiet: true });
    const messages = await followProgress<{ stream?: string; error?: string }>(docker, stream, `loading ${path.basename(file)}`).catch((err: unknown) => {
      throw new ImageError(`cannot import ${file}: ${err instanceof Error ? err.message : String(err)}`);
    });
    const failed = messages.find((m) => m.error);
    if (failed) throw new ImageError(`cannot import ${file}: ${failed.error}`);
    const loaded = messages.flatMap((m) => /Loaded image: (\S+)/.exec(m.stream ?? '')?.[1] ?? []);
    const names = loaded.length ? loaded : taken;
    const ids = (await Promise.all(names.map((n) => inspect(docker, n)))).flatMap((i) => (i ? [i.Id] : []));
    const at = new Date().toISOString();
    updateSettings(data, (st) => {
      for (const id of ids) st.imported[id] = { at, from: path.basename(file) };
    });
    return { loaded: names, skipped };
  } finally {
    if (source !== file) fs.rmSync(source, { force: true });
  }
}

/**
 * The installer's bundled images (an opt-in of `npm run dist`): imported when the tarball is
 * there and any image it holds is not on the engine. Returns what was loaded (none: nothing to do).
 */
export async function importBundled(docker: Docker, tarball: string | undefined, data: string): Promise<string[]> {
  if (!tarball || !fs.existsSync(tarball)) return [];
  const inside = await tarballImages(tarball);
  const absent = (await Promise.all(inside.map(async (n) => ((await inspect(docker, n)) ? [] : [n])))).flat();
  if (!absent.length) return [];
  return (await importImages(docker, tarball, data, { allowed: inside })).loaded;
}

/** Where Export writes when no file is named: the data directory's exports/, one name a second. */
export function defaultExportFile(data: string, now = new Date()): string {
  const stamp = now.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
  return path.join(data, 'exports', `obsdeck-images-${stamp}.tar`);
}
