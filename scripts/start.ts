// `npm start` (after scripts/bootstrap.mjs installed the dependencies): the set-up the app
// needs where it is needed and allowed, each step in one line (a Docker engine started, or on
// Debian as root installed; stand-in images built where the upstream ones cannot be pulled; the
// API's image), then the Electron app, or where no Electron binary is installed the same UI
// through `obsdeck serve`. Builds the renderer first when its build is missing or older than its
// sources. OBSDECK_NO_SETUP=1 skips the set-up.
import { ensurePrerequisites } from './prereqs.js';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildElectron } from './build-electron.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function newest(dir: string): number {
  return fs.readdirSync(dir, { withFileTypes: true }).reduce((t, e) => {
    const p = path.join(dir, e.name);
    return Math.max(t, e.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
  }, 0);
}

if (process.env.OBSDECK_NO_SETUP !== '1') {
  try {
    await ensurePrerequisites({ compose: false });
  } catch (err) {
    // The app itself says what is missing (no engine, an image it cannot have) and what to do.
    process.stdout.write(`[obsdeck] set-up stopped: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]!}\n`);
  }
}

const built = path.join(root, 'dist', 'renderer', 'index.html');
if (!fs.existsSync(built) || fs.statSync(built).mtimeMs < newest(path.join(root, 'renderer'))) {
  const r = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

/**
 * The installed Electron binary, found without require('electron'): that would try to download
 * a missing binary (and hang where there is no network beyond the npm registry).
 */
function electronBinary(): string | undefined {
  try {
    const dir = path.dirname(createRequire(import.meta.url).resolve('electron/package.json'));
    const rel = fs.readFileSync(path.join(dir, 'path.txt'), 'utf8').trim();
    const bin = path.join(dir, 'dist', rel);
    return fs.existsSync(bin) ? bin : undefined;
  } catch {
    return undefined;
  }
}

const electron = electronBinary();
if (electron) {
  await buildElectron();
  spawn(electron, [root], { stdio: 'inherit' }).on('close', (code) => process.exit(code ?? 0));
} else {
  process.stdout.write('No Electron binary is installed here, so the same UI is served in your browser by `obsdeck serve`.\n');
  spawn(process.execPath, [path.join(root, 'bin', 'obsdeck.js'), 'serve', ...process.argv.slice(2)], { stdio: 'inherit' })
    .on('close', (code) => process.exit(code ?? 0));
}
