import { describe, expect, it } from 'vitest';
import { checkExpressions, dashboardExpressions, formatProblem, ruleExpressions } from './expressions.js';
import { checkPromql, expandGrafanaVariables } from './promql.js';
import { shippedExpressions } from '../../test/helpers/shipped.js';

describe('checkPromql', () => {
  it('accepts what Prometheus accepts', () => {
    for (const ok of ['sum by (job) (rate(x[5m]))', 'sum(x) by (a)', 'a / ignoring(b) c', 'histogram_quantile(0.95, sum by (le) (rate(x_bucket[5m])))', 'count(ALERTS{alertstate="firing"}) or vector(0)']) {
      expect(checkPromql(ok), ok).toBeUndefined();
    }
  });

  it('names the seed\'s by-after-function mistake and where it is', () => {
    expect(checkPromql('rate(x[5m]) by (endpoint)')).toEqual({ line: 1, column: 13, message: 'unexpected "by"' });
    expect(checkPromql('rate(x[5m]')?.message).toBe('unexpected end of expression');
    expect(checkPromql('sum(x)\n  by (a) +')).toMatchObject({ line: 2, message: 'unexpected end of expression' });
    expect(checkPromql('  ')?.message).toBe('empty expression');
  });

  it('expands Grafana variables into valid PromQL', () => {
    const q = 'sum(rate(x{instance=~"$instance", e=~"${endpoint}", f=~"[[f]]"}[$__rate_interval]))';
    expect(expandGrafanaVariables(q)).toBe('sum(rate(x{instance=~".*", e=~".*", f=~".*"}[1m]))');
    expect(checkPromql(q)).toBeDefined(); // as written, $__rate_interval is not a duration
    expect(checkPromql(expandGrafanaVariables(q))).toBeUndefined();
  });
});

describe('expressions of rules and dashboards', () => {
  it('finds each rule expression at its line and column, block scalars included', () => {
    const text = [
      'groups:',
      '  - name: g',
      '    rules:',
      '      - record: a:b',
      '        expr: sum(x)',
      '      - alert: Broken',
      '        expr: |',
      '          sum(rate(y[5m]))',
      '            by (job) +',
    ].join('\n');
    const found = ruleExpressions('rules.yml', text);
    expect(found.map((e) => [e.where, e.line, e.column])).toEqual([
      ['rule a:b (group g)', 5, 15],
      ['alert Broken (group g)', 8, 11],
    ]);
    expect(checkExpressions(found).map(formatProblem)).toEqual([
      'rules.yml:9:23: error: alert Broken (group g): PromQL unexpected end of expression',
    ]);
  });

  it('names the dashboard file and panel of a query that does not parse', () => {
    const dashboard = JSON.stringify({
      panels: [{ title: 'Fine', targets: [{ refId: 'A', expr: 'sum(x)' }] },
        { type: 'row', panels: [{ title: 'Request rate', targets: [{ refId: 'B', expr: 'rate(http_requests_total[$__rate_interval]) by (endpoint)' }] }] }],
      templating: { list: [{ name: 'instance', type: 'query', query: { query: 'label_values(up{job="a"}, instance)' } }, { name: 'iv', type: 'interval', query: '1m,5m' }] },
    });
    const found = dashboardExpressions('http.json', dashboard);
    expect(found.map((e) => e.where)).toEqual(['panel "Fine" (query A)', 'panel "Request rate" (query B)', 'variable $instance']);
    expect(checkExpressions(found).map(formatProblem)).toEqual([
      'http.json: error: panel "Request rate" (query B): PromQL unexpected "by"',
    ]);
  });

  it('every expression shipped in observability/ parses', () => {
    const all = shippedExpressions();
    // 15 rules (the seed's 14 and the Watchdog), and each of the four dashboards has queries.
    expect(all.filter((e) => !e.grafana)).toHaveLength(15);
    expect(new Set(all.filter((e) => e.grafana).map((e) => e.file)).size).toBe(4);
    expect(checkExpressions(all).map(formatProblem)).toEqual([]);
  });
});
