// `npm run build:electron`: bundles the Electron main process (ES module) and its preload
// (CommonJS: a sandboxed preload cannot be an ES module) into dist/electron/.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export async function buildElectron(outDir = path.join(root, 'dist', 'electron')): Promise<string[]> {
  const common = { bundle: true, platform: 'node' as const, target: 'node22', logLevel: 'error' as const, legalComments: 'none' as const };
  await build({
    ...common,
    entryPoints: [path.join(root, 'main', 'electron', 'main.ts')],
    outfile: path.join(outDir, 'main.mjs'),
    format: 'esm',
    // node_modules stay node_modules (dockerode's ssh2, better-sqlite3, ...); electron is the host.
    packages: 'external',
  });
  await build({
    ...common,
    entryPoints: [path.join(root, 'main', 'electron', 'preload.ts')],
    outfile: path.join(outDir, 'preload.cjs'),
    format: 'cjs',
    external: ['electron'],
  });
  return [path.join(outDir, 'main.mjs'), path.join(outDir, 'preload.cjs')];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  buildElectron().then((files) => console.log(`built ${files.map((f) => path.relative(root, f)).join(', ')}`), (err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
