import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { withGenerated } from '../config/change.js';
import { parseDuration } from '../rules/files.js';
import { sloOutputs } from './files.js';
import { burnRatesOf, errorRatioExpr, impossibleRates, spendSentence, thresholdOf, windowsOf, WORKBOOK } from './generate.js';
import { parseSelector, readObjectives } from './spec.js';
import { exhaustionMs, statusSentence } from './status.js';

const shipped = (f: string) => fs.readFileSync(path.resolve('observability', f), 'utf8');
const one = (body: string) => `objectives:\n  - name: trial\n    service: api_poc3\n${body}`;
const sli = '    sli:\n      bad: http_requests_total{status=~"5.."}\n      total: http_requests_total\n';

describe('slos.yml', () => {
  it('ships the seed\'s availability and latency objectives', () => {
    const { objectives, problems } = readObjectives(shipped('slos.yml'));
    expect(problems).toEqual([]);
    expect(objectives.map((o) => [o.name, o.service, o.target, o.windowMs, o.sli.kind, o.sli.events.metric, o.sli.total.metric])).toEqual([
      ['api-availability', 'api_poc3', 0.995, 30 * 86_400_000, 'bad', 'http_requests_total', 'http_requests_total'],
      ['api-latency', 'api_poc3', 0.95, 30 * 86_400_000, 'good', 'http_request_duration_seconds_bucket', 'http_request_duration_seconds_count'],
    ]);
    // 1 (Prometheus 2.42) and 1.0 (Prometheus 3) are both the 1 s bucket.
    const le = objectives[1]!.sli.events.matchers.find((m) => m.name === 'le')!;
    expect(le.op).toBe('=~');
    for (const v of ['1', '1.0']) expect(new RegExp(`^(?:${le.value})$`).test(v)).toBe(true);
    expect(new RegExp(`^(?:${le.value})$`).test('10')).toBe(false);
  });

  it('names each problem at its line and column', () => {
    const at = (text: string) => readObjectives(text).problems.map((p) => `${p.line ?? '-'}:${p.column ?? '-'} ${p.message}`);
    expect(at(one(`    target: 100\n${sli}`))).toEqual(['4:13 target: a percentage above 0 and below 100, such as 99.5']);
    expect(at(one(`    target: 99\n    windw: 7d\n${sli}`))).toEqual(['5:5 unknown setting "windw" (an objective has name, service, description, target, window, sli, burn_rates)']);
    expect(at(one(`    target: 99\n    window: 30m\n${sli}`))).toEqual(['5:13 window: at least 1h (its burn-rate windows are scaled from 30 days)']);
    expect(at(one('    target: 99\n    sli:\n      bad: sum(rate(http_requests_total[5m]))\n      total: http_requests_total\n'))[0]).toMatch(/^6:12 sli\.bad: must be a plain series selector/);
    expect(at(one('    target: 99\n    sli:\n      bad: x\n      good: y\n      total: z\n'))).toEqual(['6:7 sli: give exactly one of bad: and good:, with total:']);
    expect(at(one('    target: 99\n    sli:\n      bad: x{a=\n      total: z\n'))[0]).toMatch(/^6:12 sli\.bad: not a valid selector at character/);
    expect(at('objectives:\n  - name: a\n    service: s\n    target: 99\n    sli: {bad: x, total: y}\n  - name: a\n    service: s\n    target: 99\n    sli: {bad: x, total: y}\n')).toEqual(['6:11 objective "a" is named twice']);
    expect(at('objectives: [\n')[0]).toMatch(/^2:1 YAML: /);
    expect(at('objectvs: []\n')).toEqual(['1:1 no "objectives:" list']);
  });

  it('reads a selector\'s matchers as Prometheus does', () => {
    expect(parseSelector('http_requests_total{job="poc3-security", status!~"5..", le=~\'1(\\\\.0)?\'}')).toEqual({
      text: 'http_requests_total{job="poc3-security", status!~"5..", le=~\'1(\\\\.0)?\'}', metric: 'http_requests_total',
      matchers: [{ name: 'job', op: '=', value: 'poc3-security' }, { name: 'status', op: '!~', value: '5..' }, { name: 'le', op: '=~', value: '1(\\.0)?' }],
    });
    expect(parseSelector('{job="x"}')).toMatch(/must name its metric/);
    expect(parseSelector('x[5m]')).toMatch(/plain series selector/);
  });
});

describe('the burn-rate arithmetic', () => {
  const [availability, latency] = readObjectives(shipped('slos.yml')).objectives;

  it('is the SRE Workbook\'s for 30 days, and scales to a short window without going below 4 scrapes', () => {
    expect(burnRatesOf(availability!, 15_000)).toEqual(WORKBOOK);
    expect(WORKBOOK.map((r) => thresholdOf(availability!, r))).toEqual([0.072, 0.03, 0.015, 0.005]);
    expect(WORKBOOK.map((r) => thresholdOf(latency!, r))).toEqual([0.72, 0.3, 0.15, 0.05]);
    const week = { ...availability!, windowMs: parseDuration('7d') };
    // 7/30 of each window, to the second: 1h → 14m, 5m → 1m10s, 3d → 16h48m.
    expect(burnRatesOf(week, 15_000).map((r) => [r.longMs, r.shortMs])).toEqual([[840_000, 70_000], [5_040_000, 420_000], [20_160_000, 1_680_000], [60_480_000, 5_040_000]]);
    const hour = { ...availability!, windowMs: 3_600_000 };
    // 1h/30d of 5m is 0.4s: every window is at least 4 × 15s.
    expect(burnRatesOf(hour, 15_000).map((r) => [r.longMs, r.shortMs])).toEqual([[60_000, 60_000], [60_000, 60_000], [120_000, 60_000], [360_000, 60_000]]);
    expect(windowsOf(hour, 15_000)).toEqual([60_000, 120_000, 360_000, 3_600_000]);
  });

  it('says what a burn costs, and refuses a factor that could never fire', () => {
    expect(spendSentence(availability!, WORKBOOK[1]!)).toBe('at 6× for 6h you spend 5% of a 30d budget');
    expect(spendSentence(availability!, WORKBOOK[0]!)).toBe('at 14.4× for 1h you spend 2% of a 30d budget');
    expect(impossibleRates(availability!, 15_000)).toEqual([]);
    const loose = { ...availability!, target: 0.9 };
    const refused = impossibleRates(loose, 15_000);
    expect(refused.map((p) => p.message)).toEqual([
      expect.stringMatching(/^objective api-availability: the page alert on 1h & 5m at 14\.4× could never fire: a target of 90% leaves a budget of 10% of requests, and 14\.4× that is 144%, more than all of them \(the fastest any budget can burn is 1\/\(1 − target\) = 10×\)\. Raise the target to above 93\.0555555556%/),
    ]);
    // 10× exactly: an error ratio of 100 % is "all requests fail", not more than that, but the alert waits for more.
    expect(impossibleRates({ ...availability!, target: 0.9, burnRates: [{ longMs: 3_600_000, shortMs: 300_000, factor: 10, severity: 'page' }] }, 15_000)).toHaveLength(1);
  });

  it('writes the error ratio of bad events, and of good ones as what is left', () => {
    // No 5xx yet means no series of them: that is a ratio of 0, not no ratio.
    expect(errorRatioExpr(availability!, 300_000)).toBe('(sum(rate(http_requests_total{job="poc3-security", status=~"5.."}[5m])) or vector(0)) / sum(rate(http_requests_total{job="poc3-security"}[5m]))');
    expect(errorRatioExpr(latency!, 3_600_000)).toBe('1 - ((sum(rate(http_request_duration_seconds_bucket{job="poc3-security", le=~"1(\\\\.0)?"}[1h])) or vector(0)) / sum(rate(http_request_duration_seconds_count{job="poc3-security"}[1h])))');
  });
});

describe('the generated files', () => {
  it('are the shipped ones, made from the shipped slos.yml (npm run slo:generate)', () => {
    const out = sloOutputs(shipped('slos.yml'), shipped('prometheus.yml'));
    expect(out.problems).toEqual([]);
    expect(out.files['slo_rules.yml']).toBe(shipped('slo_rules.yml'));
    expect(out.files['tests/slo_rules_test.yml']).toBe(shipped('tests/slo_rules_test.yml'));
  });

  it('come with every change of slos.yml or prometheus.yml, are never drafted themselves, and need prometheus.yml to load them', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obsdeck-slo-'));
    try {
      for (const f of ['prometheus.yml', 'slos.yml', 'slo_rules.yml']) fs.writeFileSync(path.join(dir, f), shipped(f));
      const trial = shipped('slos.yml').replace('window: 30d', 'window: 1h');
      const slos = withGenerated(dir, { 'slos.yml': trial });
      expect(Object.keys(slos.drafts).sort()).toEqual(['slo_rules.yml', 'slos.yml', 'tests/slo_rules_test.yml']);
      expect(slos.drafts['slo_rules.yml']).toContain('record: slo:sli_error:ratio_rate6m');
      // A whole-directory apply whose generated files are as they are stays whole.
      expect(withGenerated(dir, {}).drafts).toEqual({ 'tests/slo_rules_test.yml': shipped('tests/slo_rules_test.yml') });
      expect(withGenerated(dir, { 'slo_rules.yml': 'groups: []\n' }).problems.map((p) => p.message)).toEqual(['slo_rules.yml is generated from slos.yml: edit slos.yml, and Apply writes both']);
      const unloaded = withGenerated(dir, { 'prometheus.yml': shipped('prometheus.yml').replace('  - slo_rules.yml\n', '') });
      expect(unloaded.problems.map((p) => `${p.file} ${p.severity} ${p.message}`)).toEqual(['prometheus.yml error rule_files does not list slo_rules.yml, so Prometheus would not run the objectives\' rules: add "- slo_rules.yml" under rule_files']);
      // A scrape interval of 1m puts the 1h objective's shortest windows at 4m.
      const slow = withGenerated(dir, { 'prometheus.yml': shipped('prometheus.yml').replace('  scrape_interval: 15s', '  scrape_interval: 1m'), 'slos.yml': trial });
      expect(slow.drafts['slo_rules.yml']).toContain('record: slo:sli_error:ratio_rate4m');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('where an objective stands', () => {
  const [availability] = readObjectives(shipped('slos.yml')).objectives;
  const day = 86_400_000;

  it('lasts the budget left over the window, divided by the burn rate', () => {
    // 80% left of 30 days at 14.4×: 0.8 × 30d / 14.4 = 1d16h.
    expect(exhaustionMs(0.8, 14.4, 30 * day)).toBe(40 * 3_600_000);
    expect(exhaustionMs(0.8, 0, 30 * day)).toBeUndefined();
    expect(exhaustionMs(-0.1, 2, 30 * day)).toBe(0);
  });

  it('says it in a sentence', () => {
    expect(statusSentence(availability!, 0.8, 14.4, 3_600_000)).toBe('80% of the 30d budget is left (0.5% of requests may fail); at the last 1h\'s 14.4× it is spent in 1d16h.');
    expect(statusSentence(availability!, 1, 0, 3_600_000)).toBe('100% of the 30d budget is left (0.5% of requests may fail); nothing failed in the last 1h.');
    expect(statusSentence(availability!, -0.25, 30, 3_600_000)).toBe('The 30d budget is spent: 25% over it.');
    expect(statusSentence(availability!, undefined, undefined, 3_600_000)).toBe('No requests in the last 30d yet: the budget is counted from the first one.');
  });
});
