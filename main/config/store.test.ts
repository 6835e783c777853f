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
    expect(fs.readdirSync(dir).sort()).toEqual(['alertmanager.yml', 'grafana', 'prometheus.yml', 'prometheus_rules.yml', 'tests']);
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
    history.restore(first.id, dir);
    expect(fs.readFileSync(path.join(dir, 'prometheus.yml'), 'utf8')).toBe(history.read(first.id, 'prometheus.yml'));
    expect(() => history.read('nope', 'prometheus.yml')).toThrow(/history entry nope has no prometheus.yml/);
  });
});

describe('diffLines', () => {
  it('shows removed and added lines only', () => {
    expect(diffLines('a\nb\nc', 'a\nB\nc\nd')).toEqual(['-b', '+B', '+d']);
    expect(diffLines('same', 'same')).toEqual([]);
  });
});
