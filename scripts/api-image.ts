// `npm run api:image`: stages api/.image/ (the API bundled with esbuild plus better-sqlite3's
// native addon) and builds the API image from api/Dockerfile through the Docker Engine API.
// NODE_IMAGE picks the base (default: the upstream image of this very Node version, so the
// addon built here matches; offline, obsdeck-local/node:latest).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type Docker from 'dockerode';
import { ensureDockerEngine } from './lib/docker-engine.js';
import { buildImage } from '../main/engine/build.js';
import { say } from './lib/proc.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const API_IMAGE = 'obsdeck/poc3-api:dev';
export const DEFAULT_NODE_IMAGE = `node:${process.versions.node}-bookworm-slim`;

/** Files of a package that it needs at run time (no sources, docs or build intermediates). */
const RUNTIME_FILES: Record<string, string[]> = {
  'better-sqlite3': ['package.json', 'lib', 'build/Release/better_sqlite3.node'],
  bindings: ['package.json', 'bindings.js'],
  'file-uri-to-path': ['package.json', 'index.js'],
};

export async function stageApiContext(): Promise<string> {
  if (process.platform !== 'linux') {
    // The addon in node_modules is built for this OS; the container runs Linux.
    throw new Error(`the API image needs better-sqlite3 built for Linux; this is ${process.platform}. Run \`npm run api:image\` on Linux, or in a Linux container with this checkout mounted`);
  }
  const dir = path.join(root, 'api', '.image');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, 'app'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'data'));
  fs.writeFileSync(path.join(dir, 'data', '.keep'), '');
  await build({
    entryPoints: [path.join(root, 'api', 'src', 'main.ts')],
    outfile: path.join(dir, 'app', 'server.cjs'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['better-sqlite3'],
    logLevel: 'error',
    legalComments: 'none',
  });
  for (const [pkg, files] of Object.entries(RUNTIME_FILES)) {
    for (const f of files) {
      fs.cpSync(path.join(root, 'node_modules', pkg, f), path.join(dir, 'app', 'node_modules', pkg, f), { recursive: true });
    }
  }
  return dir;
}

export async function buildApiImage(docker?: Docker, nodeImage = process.env.NODE_IMAGE ?? DEFAULT_NODE_IMAGE): Promise<string> {
  const engine = docker ?? (await ensureDockerEngine());
  await stageApiContext();
  // The context is api/ (as in observability/docker-compose.yml), of which api/.dockerignore
  // sends only the Dockerfile and the staged .image/.
  const { built } = await buildImage(engine, { tag: API_IMAGE, contextDir: path.join(root, 'api'), buildargs: { NODE_IMAGE: nodeImage } });
  if (built) say(`built ${API_IMAGE} on ${nodeImage}`);
  return API_IMAGE;
}

if (process.argv[1] && fs.realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // --stage: only prepare api/.image (for `npm run dist`, whose app builds the image on the user's engine).
  const work = process.argv.includes('--stage') ? stageApiContext() : buildApiImage();
  work.then(
    (tag) => process.stdout.write(`${tag}\n`),
    (err: unknown) => {
      process.stderr.write(`api:image failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
