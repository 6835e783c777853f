// The README's two commands from a fresh clone: `npm start` and `npm test` run this first. It
// needs nothing but Node and npm: when node_modules is missing or older than package-lock.json
// it installs the dependencies (`npm ci`), saying so in one line, then hands over to the
// TypeScript script (scripts/start.ts or scripts/test.ts) through tsx. OBSDECK_NO_SETUP=1 turns
// the install off. Where the Electron binary cannot be downloaded (no internet but the npm
// registry), the install is retried without it, and `npm start` serves the UI in a browser.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [what = 'start', ...rest] = process.argv.slice(2);
const say = (line) => process.stdout.write(`[obsdeck] ${line}\n`);

/** Why the dependencies need installing, or undefined when they are in place and current. */
export function installNeeded(dir = root) {
  const marker = path.join(dir, 'node_modules', '.package-lock.json');
  if (!fs.existsSync(marker)) return 'node_modules is missing';
  if (fs.statSync(marker).mtimeMs < fs.statSync(path.join(dir, 'package-lock.json')).mtimeMs) return 'package-lock.json is newer than node_modules';
  return undefined;
}

function npmCi(env) {
  return spawnSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], env });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const why = installNeeded();
  if (why && process.env.OBSDECK_NO_SETUP !== '1') {
    say(`installing the dependencies (npm ci): ${why}`);
    let r = npmCi(process.env);
    if (r.status !== 0 && !process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) {
      say('installing again without the Electron binary (it could not be downloaded); `npm start` will serve the UI in a browser');
      r = npmCi({ ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' });
    }
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
  const script = path.join(root, 'scripts', `${what}.ts`);
  const tsx = path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
  const r = spawnSync(process.execPath, [tsx, script, ...rest], { cwd: root, stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
