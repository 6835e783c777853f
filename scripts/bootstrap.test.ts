import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { installNeeded } from './bootstrap.mjs';

describe('the README\'s commands from a fresh clone', () => {
  it('install the dependencies when node_modules is missing or older than the lockfile, and not otherwise', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obsdeck-clone-'));
    try {
      fs.writeFileSync(path.join(dir, 'package-lock.json'), '{}');
      expect(installNeeded(dir)).toBe('node_modules is missing');
      fs.mkdirSync(path.join(dir, 'node_modules'));
      const marker = path.join(dir, 'node_modules', '.package-lock.json');
      fs.writeFileSync(marker, '{}');
      const past = new Date(Date.now() - 60_000);
      fs.utimesSync(marker, past, past);
      expect(installNeeded(dir)).toBe('package-lock.json is newer than node_modules');
      fs.utimesSync(marker, new Date(), new Date());
      expect(installNeeded(dir)).toBeUndefined();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('need nothing but Node to begin: the entry runs before any dependency is there', () => {
    // No import of a dependency: it must run where node_modules is absent.
    const text = fs.readFileSync(path.resolve('scripts', 'bootstrap.mjs'), 'utf8');
    expect([...text.matchAll(/^import .* from '([^']+)';$/gm)].map((m) => m[1]).every((m) => m!.startsWith('node:'))).toBe(true);
    const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.start).toBe('node scripts/bootstrap.mjs start');
    expect(pkg.scripts.test).toBe('node scripts/bootstrap.mjs test');
    // And it hands over: with the dependencies in place, `start --help`-like runs reach the script.
    const r = spawnSync(process.execPath, ['scripts/bootstrap.mjs', 'stack-auth'], { encoding: 'utf8', env: { ...process.env, OBSDECK_NO_SETUP: '1' } });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('observability/auth/ holds the stack\'s credentials');
  });
});
