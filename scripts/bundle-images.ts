// `npm run dist`'s opt-in: with OBSDECK_BUNDLE_IMAGES=1 the installer carries the stack's images
// (build/images/obsdeck-images.tar, among the app's resources as images/), and the app imports
// them on first start when they are missing, so it sets up an offline laptop on its own.
// Without it, build/images/ is left empty and the installer carries no images.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { exportImages } from '../main/images/images.js';
import { loadSpec } from '../main/config/project.js';
import { useStandIns } from '../main/stack/stand-ins.js';
import { ensureDockerEngine } from './lib/docker-engine.js';
import { say } from './lib/proc.js';

export const BUNDLE_DIR = path.join('build', 'images');
export const BUNDLE_NAME = 'obsdeck-images.tar';

export async function bundleImages(out = BUNDLE_DIR): Promise<string | undefined> {
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });
  if (process.env.OBSDECK_BUNDLE_IMAGES !== '1') return undefined;
  const docker = await ensureDockerEngine();
  // The stack as a new install would run it: the shipped compose file, its own data directory.
  const { spec } = loadSpec({ data: fs.mkdtempSync(path.join(os.tmpdir(), 'obsdeck-bundle-')), env: { ...process.env, OBSDECK_HOME: '' } });
  await useStandIns(docker, spec);
  const result = await exportImages(docker, spec, path.resolve(out, BUNDLE_NAME));
  say(`bundled ${result.images.join(', ')} (${(result.bytes / 2 ** 20).toFixed(0)} MiB) into ${result.file}${result.missing.length ? `; not on the engine, so not bundled: ${result.missing.join(', ')}` : ''}`);
  return result.file;
}

if (import.meta.url === `file://${process.argv[1]}`) await bundleImages();
