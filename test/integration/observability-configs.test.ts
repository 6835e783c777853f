// The shipped observability/ configs, checked by the real tools of the stack's own images.
import fs from 'node:fs';
import path from 'node:path';
import Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { runTool } from '../../main/engine/run-tool.js';
import { readRouting, receiversFor } from '../../main/routes/routes.js';
import { runRuleTests } from '../../main/rules/tests.js';
import os from 'node:os';
import { applyChange, ApplyRefused, restoreEntry, type ConfigTarget } from '../../main/config/change.js';
import { ConfigHistory, ensureConfigDir } from '../../main/config/store.js';
import { PROMETHEUS_CREDENTIAL_FILES, validateRuleTests } from '../../main/config/validate.js';
import { testImages } from '../helpers/images.js';

const docker = new Docker();
const dir = path.resolve('observability');
const read = (name: string) => fs.readFileSync(path.join(dir, name), 'utf8');
const files = () => ({
  '/check/prometheus.yml': read('prometheus.yml'),
  '/check/prometheus_rules.yml': read('prometheus_rules.yml'),
  '/check/alertmanager.yml': read('alertmanager.yml'),
  '/check/tests/rules_test.yml': read('tests/rules_test.yml'),
  '/check/slo_rules.yml': read('slo_rules.yml'),
  '/check/tests/slo_rules_test.yml': read('tests/slo_rules_test.yml'),
  // The credential files the compose file mounts (promtool check config stats a credentials_file).
  ...Object.fromEntries(PROMETHEUS_CREDENTIAL_FILES.map((f) => [f, 'placeholder'])),
});
/**
 * A config directory made as on first use, its history, and a change context whose target runs
 * no service: it records which files each change would deliver (paths in the directory, sorted).
 */
function recordingChange(data: string) {
  const configDir = ensureConfigDir(data);
  const history = new ConfigHistory(data);
  const delivered: string[][] = [];
  const target: ConfigTarget = {
    docker, images: testImages, restoredHow: '', runningFiles: async () => ({}),
    noteFor: (services) => `applied to ${services.join(' and ') || 'no running service'}`,
    deliveries: async (changed) => {
      delivered.push(changed.map((f) => path.relative(configDir, f)).sort());
      return [];
    },
  };
  return { configDir, history, delivered, ctx: { target, configDir, history } };
}

const promtool = (args: string[], f: Record<string, string> = files()) =>
  runTool(docker, { image: testImages.prometheus, entrypoint: '/bin/promtool', args, files: f });

describe('observability configs', () => {
  it('promtool check config accepts prometheus.yml and the rule file it names', async () => {
    const r = await promtool(['check', 'config', '/check/prometheus.yml']);
    // The seed's 15 rules, and the objectives' 28 (slo_rules.yml, generated from slos.yml).
    expect(r.stdout + r.stderr).toMatch(/SUCCESS: 15 rules found[\s\S]*SUCCESS: 28 rules found/);
    expect(r.exitCode).toBe(0);
  });

  it('promtool check rules accepts prometheus_rules.yml', async () => {
    const r = await promtool(['check', 'rules', '/check/prometheus_rules.yml']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
  });

  it('promtool test rules: every alert fires when it should and stays quiet when it should not', async () => {
    const r = await promtool(['test', 'rules', '/check/tests/rules_test.yml']);
    expect(r.stdout + r.stderr).toMatch(/SUCCESS/);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    // Each alert of the rule file has a test that expects it to fire and one that expects quiet.
    const tests = read('tests/rules_test.yml');
    const alerts = [...read('prometheus_rules.yml').matchAll(/^\s+- alert: (\w+)/gm)].map((m) => m[1]!);
    expect(alerts).toHaveLength(10); // the seed's 9 and the Watchdog
    for (const alert of alerts) {
      const cases = [...tests.matchAll(new RegExp(`alertname: ${alert}\\n\\s+exp_alerts:(.*)`, 'g'))].map((m) => m[1]!.trim());
      expect(cases, alert).toContain('');     // a case with expected alerts listed below it
      // The Watchdog is never quiet, by design (it is the alert path's heartbeat).
      if (alert !== 'Watchdog') expect(cases.some((c) => c.startsWith('[]')), alert).toBe(true);
    }
  });

  it('the rule tests bite: HighErrorRate with a threshold of 50% fails its firing case', async () => {
    const loosened = read('prometheus_rules.yml').replace('job:http_errors:ratio_rate5m > 0.05', 'job:http_errors:ratio_rate5m > 0.5');
    const r = await promtool(['test', 'rules', '/check/tests/rules_test.yml'], { ...files(), '/check/prometheus_rules.yml': loosened });
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/HighErrorRate fires at 10% errors[\s\S]*got:\[\]/);
  });

  // The objectives' generated rules, held to the burn-rate arithmetic by their generated test; and
  // the test bites when a threshold is not what the arithmetic says.
  it('promtool test rules: each objective\'s burn alerts fire exactly at the error ratios the arithmetic says', async () => {
    const r = await promtool(['test', 'rules', '/check/tests/slo_rules_test.yml']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    const off = read('slo_rules.yml').replace(/> 0\.015 and/g, '> 0.025 and');
    const bad = await promtool(['test', 'rules', '/check/tests/slo_rules_test.yml'], { ...files(), '/check/slo_rules.yml': off });
    expect(bad.exitCode).not.toBe(0);
    expect(bad.stdout + bad.stderr).toMatch(/api-availability: error ratio 2\.25%[\s\S]*long_window="1d"/);
  });

  it('amtool check-config accepts alertmanager.yml', async () => {
    const r = await runTool(docker, { image: testImages.alertmanager, entrypoint: '/bin/amtool', args: ['check-config', '/check/alertmanager.yml'], files: files() });
    expect(r.stdout + r.stderr).toMatch(/SUCCESS/);
    expect(r.exitCode).toBe(0);
  });

  it('the checks are real: the seed\'s flawed by-clause is refused with its line', async () => {
    const broken = read('prometheus_rules.yml').replace(
      'expr: sum by (job) (rate(http_requests_total[5m]))',
      'expr: rate(http_requests_total[5m]) by (endpoint)',
    );
    const r = await promtool(['check', 'rules', '/check/prometheus_rules.yml'], { '/check/prometheus_rules.yml': broken });
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/prometheus_rules\.yml.*(parse error|unexpected)/s);
  });

  // The routing view's walk of the tree (main/routes/routes.ts) against Alertmanager's own, over a
  // table of label sets: the shipped file and one with continue, nesting, regexes and negation.
  it('routes every label set of a table to the receivers amtool config routes test names', async () => {
    const nested = `
route:
  receiver: default
  routes:
    - matchers: ['severity="critical"']
      receiver: pager
      continue: true
    - matchers: ['team=~"sec|security"', 'env!="dev"']
      receiver: security
      routes:
        - match: { alertname: LoginRateLimited }
          receiver: security-logins
    - match_re: { service: "api.*" }
      receiver: api
receivers: [{ name: default }, { name: pager }, { name: security }, { name: security-logins }, { name: api }]
`;
    const table: Record<string, string>[] = [
      { alertname: 'Watchdog' }, { alertname: 'HighErrorRate', severity: 'warning' }, { obsdeck_path_test: 'true', alertname: 'X' },
      { alertname: 'X', severity: 'critical' }, { alertname: 'X', severity: 'critical', team: 'sec' }, { alertname: 'LoginRateLimited', team: 'security' },
      { alertname: 'X', team: 'security', env: 'dev', service: 'api_poc3' }, { alertname: 'X', service: 'xapi' }, { alertname: 'X', team: 'secx' },
    ];
    for (const [name, text] of [['alertmanager.yml', read('alertmanager.yml')], ['nested.yml', nested]] as const) {
      const config = readRouting(text);
      // One throwaway amtool container a label set, all at once.
      const runs = await Promise.all(table.map((labels) => runTool(docker, { image: testImages.alertmanager, entrypoint: '/bin/amtool', args: ['config', 'routes', 'test', '--config.file=/check/am.yml', ...Object.entries(labels).map(([k, v]) => `${k}=${v}`)], files: { '/check/am.yml': text } })));
      table.forEach((labels, i) => {
        expect(runs[i]!.exitCode, runs[i]!.stdout + runs[i]!.stderr).toBe(0);
        expect(receiversFor(config, labels).join(','), `${name} ${JSON.stringify(labels)}`).toBe(runs[i]!.stdout.trim());
      });
    }
  });

  // The Config view's rule tests: the shipped tests pass against the shipped rules, and a draft
  // that breaks one is named at its case's line with promtool's words.
  it('runs the config directory\'s rule tests, and names the case a draft breaks at its line', async () => {
    const configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'obsdeck-ruletests-'));
    try {
      fs.mkdirSync(path.join(configDir, 'tests'));
      fs.writeFileSync(path.join(configDir, 'prometheus_rules.yml'), read('prometheus_rules.yml'));
      fs.writeFileSync(path.join(configDir, 'tests', 'rules_test.yml'), read('tests/rules_test.yml'));
      const good = await runRuleTests(docker, testImages.prometheus, configDir, 'rules_test.yml');
      expect(good).toMatchObject({ file: 'tests/rules_test.yml', ok: true, rules: 'applied' });
      expect(good.cases.every((c) => c.ok)).toBe(true);
      const bad = await runRuleTests(docker, testImages.prometheus, configDir, 'rules_test.yml', read('prometheus_rules.yml').replace('job:http_errors:ratio_rate5m > 0.05', 'job:http_errors:ratio_rate5m > 0.5'));
      expect(bad.ok).toBe(false);
      expect(bad.cases.filter((c) => !c.ok).map((c) => [c.line, c.what, c.evalTime])).toEqual([[60, 'HighErrorRate', '10m']]);
      expect(bad.cases.find((c) => !c.ok)!.message).toMatch(/got:\[\]/);
    } finally {
      fs.rmSync(configDir, { recursive: true, force: true });
    }
  });

  // A rule test is a file of the config directory like the others: applied through the one change
  // path (checked by the stack's promtool), into the version history, and Restore brings it back;
  // no service reads it, so no service is touched.
  it('applies a rule test into the config directory and its history without touching a service', async () => {
    const data = fs.mkdtempSync(path.join(os.tmpdir(), 'obsdeck-settests-'));
    try {
      const { configDir, history, delivered, ctx } = recordingChange(data);
      const first = await applyChange(ctx);
      expect(history.files(first.id)).toContain('tests/rules_test.yml');
      delivered.length = 0;
      // A case that fails against the rules is a warning (a test may come before its rule): saved.
      const mine = read('tests/rules_test.yml').replace(/eval_time: 10m(\s+alertname: HighErrorRate)/, 'eval_time: 90s$1');
      expect(mine).not.toBe(read('tests/rules_test.yml'));
      const warned = await validateRuleTests({ 'tests/mine.yml': mine }, read('prometheus_rules.yml'), { docker, images: testImages });
      expect(warned.map((p) => [p.file, p.line, p.severity])).toEqual([['tests/mine.yml', 60, 'warning']]);
      expect(warned[0]!.message).toMatch(/^promtool test rules: HighErrorRate at 90s fails against the rules: /);
      const saved = await applyChange(ctx, { 'tests/mine.yml': mine });
      expect(saved.note).toBe('saved tests/mine.yml (no service reads it)');
      expect(delivered).toEqual([]);
      expect(fs.readFileSync(path.join(configDir, 'tests', 'mine.yml'), 'utf8')).toBe(mine);
      expect(history.read(saved.id, 'tests/mine.yml')).toBe(mine);
      // A file promtool cannot read is refused at its line and column, and is not written.
      const err = await applyChange(ctx, { 'tests/broken.yml': 'tests:\n  - name: x\n   interval: 1m\n' }).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(ApplyRefused);
      expect((err as Error).message).toMatch(/tests\/broken\.yml:3:\d+: error: YAML: /);
      expect(fs.existsSync(path.join(configDir, 'tests', 'broken.yml'))).toBe(false);
      await expect(applyChange(ctx, { '../escape.yml': 'x' })).rejects.toThrow(/not one of the config directory's files/);
      // Restore the first entry: its files come back; the test saved after it is kept.
      fs.writeFileSync(path.join(configDir, 'tests', 'rules_test.yml'), 'tests: []\n');
      await restoreEntry(ctx, first.id);
      expect(fs.readFileSync(path.join(configDir, 'tests', 'rules_test.yml'), 'utf8')).toBe(read('tests/rules_test.yml'));
      expect(fs.readFileSync(path.join(configDir, 'tests', 'mine.yml'), 'utf8')).toBe(mine);
    } finally {
      fs.rmSync(data, { recursive: true, force: true });
    }
  });

  // slos.yml is applied with its generated rules and test beside it, through the one change path:
  // promtool checks them (check config loads slo_rules.yml, the generated test runs), Prometheus
  // gets the rules, the history holds all three; an objective that could never alert is refused.
  it('applies an objective with the rules and test generated from it, and refuses one whose burn rate could never fire', async () => {
    const data = fs.mkdtempSync(path.join(os.tmpdir(), 'obsdeck-slos-'));
    try {
      const { configDir, history, delivered, ctx } = recordingChange(data);
      const trial = read('slos.yml').replace(/window: 30d/g, 'window: 1h');
      const entry = await applyChange(ctx, { 'slos.yml': trial });
      expect(delivered).toEqual([['slo_rules.yml', 'slos.yml', 'tests/slo_rules_test.yml']]);
      const rules = fs.readFileSync(path.join(configDir, 'slo_rules.yml'), 'utf8');
      expect(rules).toContain('expr: slo:sli_error:ratio_rate1m{slo="api-availability"} > 0.072 and slo:sli_error:ratio_rate1m{slo="api-availability"} > 0.072');
      expect(history.read(entry.id, 'slo_rules.yml')).toBe(rules);
      expect(history.read(entry.id, 'tests/slo_rules_test.yml')).toBe(fs.readFileSync(path.join(configDir, 'tests', 'slo_rules_test.yml'), 'utf8'));
      const loose = trial.replace('target: 99.5', 'target: 90');
      const err = await applyChange(ctx, { 'slos.yml': loose }).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(ApplyRefused);
      expect((err as Error).message).toMatch(/slos\.yml:15:13: error: objective api-availability: the page alert on 1m & 1m at 14\.4× could never fire/);
      expect(fs.readFileSync(path.join(configDir, 'slos.yml'), 'utf8')).toBe(trial);
    } finally {
      fs.rmSync(data, { recursive: true, force: true });
    }
  });
});
