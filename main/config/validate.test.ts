import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatProblem } from './expressions.js';
import { checkAlertmanagerYml, checkPrometheusYml, checkRulesYml, toolProblems } from './validate.js';

const lines = (ps: ReturnType<typeof checkPrometheusYml>) => ps.map(formatProblem);

describe('in-process checks', () => {
  it('names a YAML syntax error with its line and column', () => {
    expect(lines(checkPrometheusYml('prometheus.yml', 'global:\n  scrape_interval: 15s\n bad: [\n'))[0]).toMatch(/^prometheus\.yml:3:\d+: error: YAML: /);
  });

  it('names unknown top-level settings and duplicate jobs where they are', () => {
    const text = 'global: {}\nscrape_config:\n  - job_name: a\nscrape_configs:\n  - job_name: a\n  - job_name: a\n';
    expect(lines(checkPrometheusYml('prometheus.yml', text))).toEqual([
      'prometheus.yml:2:1: error: unknown setting "scrape_config" (prometheus.yml has global, runtime, rule_files, scrape_config_files, scrape_configs, alerting, remote_write, remote_read, storage, tracing, otlp)',
      'prometheus.yml:6:15: error: job_name "a" is used twice',
    ]);
  });

  it('warns, at the job, where a config copied before the stack took credentials scrapes or alerts without them', () => {
    const text = "alerting:\n  alertmanagers:\n    - static_configs:\n        - targets: ['alertmanager:9093']\nscrape_configs:\n  - job_name: prometheus\n    static_configs:\n      - targets: ['localhost:9090']\n  - job_name: api\n    static_configs:\n      - targets: ['api_poc3:8083']\n";
    expect(lines(checkPrometheusYml('prometheus.yml', text))).toEqual([
      expect.stringMatching(/^prometheus\.yml:6:5: warning: job "prometheus" scrapes a service that takes the stack's user: add basic_auth/),
      expect.stringMatching(/^prometheus\.yml:3:7: warning: Alertmanager takes the stack's user: add basic_auth/),
    ]);
    const shipped = fs.readFileSync(path.resolve('observability', 'prometheus.yml'), 'utf8');
    expect(checkPrometheusYml('prometheus.yml', shipped)).toEqual([]);
  });

  it('checks rules: one of alert/record, an expr, and PromQL that parses', () => {
    const text = 'groups:\n  - name: g\n    rules:\n      - alert: A\n        record: b\n        expr: up\n      - alert: B\n      - alert: C\n        expr: sum(up) by\n';
    expect(lines(checkRulesYml('r.yml', text))).toEqual([
      'r.yml:4:9: error: a rule needs exactly one of alert or record',
      'r.yml:7:9: error: a rule needs an expr',
      'r.yml:9:25: error: alert C (group g): PromQL unexpected end of expression',
    ]);
  });

  it('finds a route to a receiver that does not exist', () => {
    const text = 'route:\n  receiver: a\n  routes:\n    - receiver: missing\nreceivers:\n  - name: a\n';
    expect(lines(checkAlertmanagerYml('alertmanager.yml', text))).toEqual(['alertmanager.yml:4:17: error: receiver "missing" is not defined under receivers']);
  });
});

describe('toolProblems', () => {
  const files = { '/check/prometheus.yml': 'prometheus.yml', '/check/prometheus_rules.yml': 'prometheus_rules.yml' };

  it('reads promtool check config\'s yaml errors with their lines', () => {
    const out = 'Checking /check/prometheus.yml\n  FAILED: parsing YAML file /check/prometheus.yml: yaml: unmarshal errors:\n  line 5: field scrape_intervall not found in type config.plain\n';
    expect(toolProblems(out, files, '/check/prometheus.yml').map(formatProblem)).toEqual(['prometheus.yml:5:1: error: line 5: field scrape_intervall not found in type config.plain']);
  });

  it('reads promtool check rules\' file: line:col form', () => {
    const out = 'Checking /check/prometheus_rules.yml\n  FAILED:\n/check/prometheus_rules.yml: 35:15: group "g", rule 1, "A": could not parse expression: 1:13: parse error: unexpected <by>\n';
    expect(toolProblems(out, files, '/check/prometheus_rules.yml').map(formatProblem)).toEqual([
      'prometheus_rules.yml:35:15: error: prometheus_rules.yml: 35:15: group "g", rule 1, "A": could not parse expression: 1:13: parse error: unexpected <by>',
    ]);
  });

  it('keeps amtool\'s reason from its Checking line', () => {
    const out = "Checking '/check/alertmanager.yml'  FAILED: undefined receiver \"nobody\" used in route\n\namtool: error: failed to validate 1 file(s)\n";
    expect(toolProblems(out, { '/check/alertmanager.yml': 'alertmanager.yml' }, '/check/alertmanager.yml').map(formatProblem)).toEqual(['alertmanager.yml: error: undefined receiver "nobody" used in route']);
  });
});
