import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigHistory, dataDir, diffLines, ensureConfigDir } from './store.js';

const dirs: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'obsdeck-store-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('the config directory', () => {
  it('is the platform\'s place unless OBSDECK_HOME says otherwise', () => {
    expect(dataDir({ OBSDECK_HOME: '/x/y' })).toBe('/x/y');
    expect(dataDir({}, 'linux', '/home/u')).toBe('/home/u/.local/share/obsdeck');
    expect(dataDir({ XDG_DATA_HOME: '/d' }, 'linux', '/home/u')).toBe('/d/obsdeck');
    expect(dataDir({}, 'darwin', '/Users/u')).toBe('/Users/u/Library/Application Support/Obsdeck');
  });

  it('is copied from observability/ on first use and keeps the user\'s edits afterwards', () => {
    const data = tmp();
    const dir = ensureConfigDir(data);
    expect(fs.readdirSync(dir).sort()).toEqual(['alertmanager.yml', 'grafana', 'prometheus.yml', 'prometheus_rules.yml', 'slo_rules.yml', 'slos.yml', 'tests']);
    fs.writeFileSync(path.join(dir, 'prometheus.yml'), 'edited');
    expect(ensureConfigDir(data)).toBe(dir);
    expect(fs.readFileSync(path.join(dir, 'prometheus.yml'), 'utf8')).toBe('edited');
  });
});

describe('ConfigHistory', () => {
  it('records applied configs, lists them in order, and restores one', () => {
    const data = tmp();
    const dir = ensureConfigDir(data);
    const history = new ConfigHistory(data);
    const first = history.record(dir, 'first');
    fs.writeFileSync(path.join(dir, 'prometheus.yml'), 'changed\n');
    const second = history.record(dir, 'second');
    expect(history.list().map((e) => e.note)).toEqual(['first', 'second']);
    expect(history.read(second.id, 'prometheus.yml')).toBe('changed\n');
    expect(history.entry(first.id).note).toBe('first');
    expect(() => history.entry('nope')).toThrow(/no history entry nope \(entries: /);
    expect(() => history.read('nope', 'prometheus.yml')).toThrow(/history entry nope has no prometheus.yml/);
  });
});

describe('a staged history entry', () => {
  it('is not in the history until committed, and leaves nothing when discarded', () => {
    const history = new ConfigHistory(tmp());
    const staged = history.stage({ 'prometheus.yml': 'a' }, 'staged');
    expect(history.list()).toEqual([]);
    staged.discard();
    expect(history.list()).toEqual([]);
    expect(fs.readdirSync(history.dir)).toEqual([]);
    const kept = history.stage({ 'prometheus.yml': 'b' }, 'kept').commit();
    expect(history.list().map((e) => e.id)).toEqual([kept.id]);
    expect(history.read(kept.id, 'prometheus.yml')).toBe('b');
  });
});

describe('diffLines', () => {
  it('shows removed and added lines only', () => {
    expect(diffLines('a\nb\nc', 'a\nB\nc\nd')).toEqual(['-b', '+B', '+d']);
    expect(diffLines('same', 'same')).toEqual([]);
  });

  it('diffs a 200,000-line file with a few changes (the old LCS table of 200k x 200k cells could not even be allocated)', () => {
    const big = Array.from({ length: 200_000 }, (_, i) => `line ${i}`);
    const changed = [...big];
    changed[1000] = 'changed';
    changed.splice(150_000, 0, 'inserted');
    expect(diffLines(big.join('\n'), changed.join('\n'))).toEqual(['-line 1000', '+changed', '+inserted']);
  });

  it('falls back to all-removed, all-added when two texts have nothing in common', () => {
    const a = Array.from({ length: 30_000 }, (_, i) => `a${i}`).join('\n');
    const b = Array.from({ length: 30_000 }, (_, i) => `b${i}`).join('\n');
    const d = diffLines(a, b, 1000);
    expect(d).toHaveLength(60_000);
    expect(d[0]).toBe('-a0');
    expect(d.at(-1)).toBe('+b29999');
  });
});

describe('a first start by several Obsdeck processes at once', () => {
  it('makes one config directory and one set of passwords, which every process uses', async () => {
    const { spawn } = await import('node:child_process');
    const data = fs.mkdtempSync(path.join(os.tmpdir(), 'obsdeck-race-'));
    // Every process loaded, they all begin at the same instant.
    const at = Date.now() + 4000;
    const script = `
      import { ensureConfigDir } from ${JSON.stringify(path.resolve('main/config/store.ts'))};
      import { stackSecrets } from ${JSON.stringify(path.resolve('main/config/secrets.ts'))};
      while (Date.now() < ${at}) { /* spin */ }
      ensureConfigDir(${JSON.stringify(data)});
      process.stdout.write(JSON.stringify(stackSecrets(${JSON.stringify(data)})));`;
    const runs = await Promise.all(Array.from({ length: 4 }, () => new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      const c = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script]);
      let out = '';
      let err = '';
      c.stdout.on('data', (d: Buffer) => (out += d.toString()));
      c.stderr.on('data', (d: Buffer) => (err += d.toString()));
      c.on('exit', (code) => resolve({ code, out, err }));
    })));
    for (const r of runs) expect(r.code, r.err).toBe(0);
    expect(new Set(runs.map((r) => r.out)).size).toBe(1); // the same passwords everywhere
    expect(JSON.parse(fs.readFileSync(path.join(data, 'secrets.json'), 'utf8'))).toEqual(JSON.parse(runs[0]!.out));
    expect(fs.readdirSync(data).filter((f) => f.includes('.tmp'))).toEqual([]);
    fs.rmSync(data, { recursive: true, force: true });
  }, 30_000);
});
