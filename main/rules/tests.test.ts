// promtool's report of a rule test run, matched to the cases of the test file by group, alert
// (or expression) and evaluation time; its words kept for the failed ones.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { failures, readTestCases } from './tests.js';

// As promtool 2.42 prints a failed alert case (run on the shipped test file with a threshold of 50%).
const REPORT = `Unit Testing:  tests/rules_test.yml
  FAILED:
    name: HighErrorRate fires at 10% errors after 2 minutes,
    alertname: HighErrorRate, time: 10m, 
        exp:[
            0:
              Labels:{alertname="HighErrorRate", job="poc3-security", severity="warning"}
              Annotations:{description="Error rate is 10%", summary="High error rate detected"}
            ], 
        got:[]
    name: SLIs of half-failing traffic,
    expr: "job:http_errors:ratio_rate5m", time: 10m,
        exp: "{job=\\"poc3-security\\"} 0.5E+00"
        got: "{job=\\"poc3-security\\"} 1E+00"
`;

describe('promtool rule tests', () => {
  it('lists every case of the shipped test file with its line', () => {
    const cases = readTestCases(fs.readFileSync('observability/tests/rules_test.yml', 'utf8'), 'tests/rules_test.yml');
    expect(cases.length).toBeGreaterThan(20);
    expect(cases.filter((c) => c.group === 'HighErrorRate fires at 10% errors after 2 minutes')).toEqual([
      { group: 'HighErrorRate fires at 10% errors after 2 minutes', kind: 'alert', what: 'HighErrorRate', evalTime: '1m', line: 57, ok: true },
      { group: 'HighErrorRate fires at 10% errors after 2 minutes', kind: 'alert', what: 'HighErrorRate', evalTime: '10m', line: 60, ok: true },
    ]);
  });

  it('reads each failed case of promtool\'s report, alert or expression, with its words', () => {
    const { cases, other } = failures(REPORT);
    expect(other).toEqual([]);
    expect(cases.map((c) => [c.group, c.kind, c.what, c.evalMs])).toEqual([
      ['HighErrorRate fires at 10% errors after 2 minutes', 'alert', 'HighErrorRate', 600_000],
      ['SLIs of half-failing traffic', 'expr', 'job:http_errors:ratio_rate5m', 600_000],
    ]);
    expect(cases[0]!.words).toMatch(/^alertname: HighErrorRate, time: 10m,[\s\S]*got:\[\]$/);
    expect(failures('Unit Testing:  t.yml\n  FAILED:\n    1:1: group "x", rule 1, "A": could not parse expression\n').other).toEqual(['1:1: group "x", rule 1, "A": could not parse expression']);
  });
});
