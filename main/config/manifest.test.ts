import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dismissOffer, kindOf, offeredFiles, readSet, setFiles, setPath } from './manifest.js';
import { ConfigHistory, ensureConfigDir, shippedDir } from './store.js';

const dirs: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'obsdeck-set-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
const write = (dir: string, rel: string, text: string) => {
  fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  fs.writeFileSync(path.join(dir, rel), text);
};

describe('the config directory\'s set', () => {
  it('is the services\' files and the rule tests, and nothing else in the directory', () => {
    const dir = tmp();
    for (const f of ['alertmanager.yml', 'prometheus.yml', 'prometheus_rules.yml', 'tests/b.yml', 'tests/a.yaml', 'tests/notes.txt', 'tests/deep/c.yml', 'docker-compose.yml', 'auth/password']) write(dir, f, f);
    fs.mkdirSync(path.join(dir, 'tests', 'd.yml')); // a directory with a test's name
    expect(setFiles(dir)).toEqual(['prometheus.yml', 'prometheus_rules.yml', 'alertmanager.yml', 'tests/a.yaml', 'tests/b.yml']);
    expect(readSet(dir)['tests/b.yml']).toBe('tests/b.yml');
    expect(kindOf('tests/a.yaml')).toBe('rule-test');
    expect(kindOf('prometheus_rules.yml')).toBe('rules');
  });

  it('refuses every path outside it: no request can name another file through it', () => {
    for (const bad of ['../prometheus.yml', 'tests/../prometheus.yml', 'tests/../../x.yml', '/etc/passwd', 'tests/.hidden.yml', 'tests/a/b.yml', 'auth/password', 'docker-compose.yml', 'tests/x.yml\n']) {
      expect(() => setPath(bad), bad).toThrow(/is not one of the config directory's files \(prometheus\.yml, prometheus_rules\.yml, alertmanager\.yml, tests\/\*\.yml\)/);
    }
    expect(setPath('tests/login-rate_limited.v2.yml')).toBe('tests/login-rate_limited.v2.yml');
  });

  it('is what a first copy-in takes from the shipped files', () => {
    const dir = ensureConfigDir(tmp());
    expect(setFiles(dir)).toEqual(setFiles(shippedDir()));
    expect(setFiles(dir)).toContain('tests/rules_test.yml');
  });
});

describe('a file Obsdeck ships that an install lacks', () => {
  it('is offered with its shipped text, never copied in, until the user applies it or says not now', () => {
    const shipped = tmp();
    const install = tmp();
    for (const f of ['prometheus.yml', 'prometheus_rules.yml', 'alertmanager.yml']) {
      write(shipped, f, `shipped ${f}`);
      write(install, f, `mine ${f}`);
    }
    write(shipped, 'tests/rules_test.yml', 'tests: []\n');
    write(shipped, 'tests/other.yml', 'tests: []\n');
    // An install made before tests/ was shipped.
    expect(offeredFiles(install, shipped)).toEqual([{ name: 'tests/other.yml', text: 'tests: []\n' }, { name: 'tests/rules_test.yml', text: 'tests: []\n' }]);
    expect(fs.existsSync(path.join(install, 'tests'))).toBe(false);
    expect(fs.readFileSync(path.join(install, 'prometheus.yml'), 'utf8')).toBe('mine prometheus.yml');
    // Applied (here: written, as the change path does): no longer offered.
    write(install, 'tests/rules_test.yml', 'tests: []\n# mine\n');
    dismissOffer(install, 'tests/other.yml');
    expect(offeredFiles(install, shipped)).toEqual([]);
    expect(() => dismissOffer(install, '../x.yml')).toThrow(/not one of the config directory's files/);
    // The list of refusals is not a file of the set: it is in no history entry.
    expect(setFiles(install)).not.toContain('.obsdeck-not-offered.json');
  });
});

describe('the history of the set', () => {
  it('keeps rule tests with the services\' files, and reads an entry of an earlier version that had none', () => {
    const data = tmp();
    const dir = ensureConfigDir(data);
    const history = new ConfigHistory(data);
    write(dir, 'tests/recorded.yml', 'tests: []\n');
    const entry = history.record(dir, 'with a recorded test');
    expect(history.files(entry.id)).toEqual(['prometheus.yml', 'prometheus_rules.yml', 'alertmanager.yml', 'tests/recorded.yml', 'tests/rules_test.yml']);
    expect(history.read(entry.id, 'tests/recorded.yml')).toBe('tests: []\n');
    // An entry as an earlier Obsdeck wrote it: the three files and its entry.json.
    const old = history.stage({ 'prometheus.yml': 'a', 'prometheus_rules.yml': 'b', 'alertmanager.yml': 'c' }, 'old').commit();
    expect(history.files(old.id)).toEqual(['prometheus.yml', 'prometheus_rules.yml', 'alertmanager.yml']);
    expect(history.has(old.id, 'tests/recorded.yml')).toBe(false);
    expect(() => history.stage({ '../escape.yml': 'x' }, 'bad')).toThrow(/not one of the config directory's files/);
    expect(() => history.read(entry.id, '../../config/prometheus.yml')).toThrow(/not one of the config directory's files/);
  });
});
