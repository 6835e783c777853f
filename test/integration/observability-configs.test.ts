// The shipped observability/ configs, checked by the real tools of the stack's own images.
import fs from 'node:fs';
import path from 'node:path';
import Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { runTool } from '../../main/engine/run-tool.js';
import { readRouting, receiversFor } from '../../main/routes/routes.js';
import { runRuleTests } from '../../main/rules/tests.js';
import os from 'node:os';
import { testImages } from '../helpers/images.js';

const docker = new Docker();
const dir = path.resolve('observability');
const read = (name: string) => fs.readFileSync(path.join(dir, name), 'utf8');
const files = () => ({
  '/check/prometheus.yml': read('prometheus.yml'),
  '/check/prometheus_rules.yml': read('prometheus_rules.yml'),
  '/check/alertmanager.yml': read('alertmanager.yml'),
  '/check/tests/rules_test.yml': read('tests/rules_test.yml'),
});
const promtool = (args: string[], f: Record<string, string> = files()) =>
  runTool(docker, { image: testImages.prometheus, entrypoint: '/bin/promtool', args, files: f });

describe('observability configs', () => {
  it('promtool check config accepts prometheus.yml and the rule file it names', async () => {
    const r = await promtool(['check', 'config', '/check/prometheus.yml']);
    expect(r.stdout + r.stderr).toMatch(/SUCCESS: 15 rules found/);
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
});
