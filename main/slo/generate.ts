// From slos.yml to Prometheus rules: per objective, the error ratio over each window it needs
// (recording rules), its target and the budget left, and the multi-window, multi-burn-rate
// alerts of the SRE Workbook's alerting chapter, with their windows scaled to the objective's
// window but never below 4 scrape intervals. A burn factor that could never fire (an error ratio
// above 100 %) is refused with the arithmetic. Beside them, a promtool test that feeds each
// objective a steady error ratio and expects exactly the alerts the arithmetic says.
import { stringify } from 'yaml';
import type { ConfigProblem as Problem } from '../contract.js';
import { formatDuration } from '../rules/files.js';
import { SLOS_FILE, WORKBOOK_WINDOW_MS, type BurnRate, type Matcher, type Objective, type Selector } from './spec.js';

export const SLO_RULES_FILE = 'slo_rules.yml';
export const SLO_TESTS_FILE = 'tests/slo_rules_test.yml';
export const BURN_ALERT = 'ErrorBudgetBurn';

const H = 3_600_000;
const M = 60_000;
/** The SRE Workbook's table for 30 days, with the 1 d & 2 h line Sloth and Pyrra add. */
export const WORKBOOK: readonly BurnRate[] = [
  { longMs: H, shortMs: 5 * M, factor: 14.4, severity: 'page' },
  { longMs: 6 * H, shortMs: 30 * M, factor: 6, severity: 'page' },
  { longMs: 24 * H, shortMs: 2 * H, factor: 3, severity: 'ticket' },
  { longMs: 72 * H, shortMs: 6 * H, factor: 1, severity: 'ticket' },
];

const round = (x: number) => Number(x.toPrecision(12));
const pct = (x: number) => `${round(x * 100)}%`;

/** The burn rates of an objective: its own, or the Workbook's scaled to its window; no window below 4 scrape intervals. */
export function burnRatesOf(o: Objective, scrapeMs: number): BurnRate[] {
  const floor = 4 * scrapeMs;
  const scale = o.windowMs / WORKBOOK_WINDOW_MS;
  const scaled = (ms: number) => Math.max(floor, Math.round((ms * scale) / 1000) * 1000);
  return (o.burnRates ?? WORKBOOK.map((r) => ({ ...r, longMs: scaled(r.longMs), shortMs: scaled(r.shortMs) })))
    .map((r) => ({ ...r, longMs: Math.max(floor, r.longMs), shortMs: Math.max(floor, r.shortMs) }));
}

/** The error ratio above which a burn rate fires: factor × the budget (1 − target). */
export const thresholdOf = (o: Objective, r: BurnRate) => round(r.factor * (1 - o.target));

/** "at 6× for 6h you spend 5% of a 30d budget": what one burn rate costs. */
export function spendSentence(o: Objective, r: BurnRate): string {
  return `at ${r.factor}× for ${formatDuration(r.longMs)} you spend ${pct((r.factor * r.longMs) / o.windowMs)} of a ${formatDuration(o.windowMs)} budget`;
}

/** Burn factors that could never fire: the error ratio they wait for is above 100 %. */
export function impossibleRates(o: Objective, scrapeMs: number): Problem[] {
  return burnRatesOf(o, scrapeMs).filter((r) => thresholdOf(o, r) >= 1).map((r) => ({
    file: SLOS_FILE, line: o.targetAt.line, column: o.targetAt.column, severity: 'error' as const,
    message: `objective ${o.name}: the ${r.severity} alert on ${formatDuration(r.longMs)} & ${formatDuration(r.shortMs)} at ${r.factor}× could never fire: a target of ${pct(o.target)} leaves a budget of ${pct(1 - o.target)} of requests, and ${r.factor}× that is ${pct(thresholdOf(o, r))}, more than all of them (the fastest any budget can burn is 1/(1 − target) = ${round(1 / (1 - o.target))}×). Raise the target to above ${pct(1 - 1 / r.factor)}, or give burn_rates of your own`,
  }));
}

/** The windows whose error ratio an objective records: every burn-rate window and the objective's own. */
export function windowsOf(o: Objective, scrapeMs: number): number[] {
  return [...new Set([...burnRatesOf(o, scrapeMs).flatMap((r) => [r.shortMs, r.longMs]), o.windowMs])].sort((a, b) => a - b);
}

/** The recorded error ratio's name over a window (slo:sli_error:ratio_rate5m). */
export const ratioName = (ms: number) => `slo:sli_error:ratio_rate${formatDuration(ms)}`;

const rate = (s: Selector, ms: number) => `sum(rate(${s.text}[${formatDuration(ms)}]))`;

/**
 * The error ratio's expression over a window. Events that never happened have no series at all
 * (no 5xx yet): they count as 0, or the ratio, the budget and the view would have nothing to say.
 */
export function errorRatioExpr(o: Objective, ms: number): string {
  const ratio = `(${rate(o.sli.events, ms)} or vector(0)) / ${rate(o.sli.total, ms)}`;
  return o.sli.kind === 'bad' ? ratio : `1 - (${ratio})`;
}

function alertRule(o: Objective, r: BurnRate) {
  const t = thresholdOf(o, r);
  const sel = (ms: number) => `${ratioName(ms)}{slo="${o.name}"}`;
  return {
    alert: BURN_ALERT,
    expr: `${sel(r.longMs)} > ${t} and ${sel(r.shortMs)} > ${t}`,
    labels: burnLabels(o, r),
    annotations: burnAnnotations(o, r),
  };
}

export function burnLabels(o: Objective, r: BurnRate): Record<string, string> {
  // page → critical, ticket → warning: the severities alertmanager.yml routes and inhibits on.
  return { severity: r.severity === 'page' ? 'critical' : 'warning', slo: o.name, service: o.service, burn: r.severity, long_window: formatDuration(r.longMs), short_window: formatDuration(r.shortMs) };
}

function burnAnnotations(o: Objective, r: BurnRate): Record<string, string> {
  return {
    summary: `${o.name}: error budget burning ${r.factor}× too fast`,
    description: `More than ${pct(thresholdOf(o, r))} of requests failed over the last ${formatDuration(r.longMs)} and ${formatDuration(r.shortMs)} (target ${pct(o.target)}): ${spendSentence(o, r)}.`,
  };
}

const HEADER = `# Generated by Obsdeck from ${SLOS_FILE}: edit that file, not this one (Apply writes both).\n`;

/** The rules file of every objective: one group each. */
export function generateRules(objectives: Objective[], scrapeMs: number): string {
  const groups = objectives.map((o) => {
    const labels = { slo: o.name, service: o.service };
    return {
      name: `slo:${o.name}`,
      rules: [
        ...windowsOf(o, scrapeMs).map((ms) => ({ record: ratioName(ms), expr: errorRatioExpr(o, ms), labels })),
        { record: 'slo:objective:ratio', expr: `vector(${o.target})`, labels: { ...labels, window: formatDuration(o.windowMs) } },
        { record: 'slo:error_budget:remaining_ratio', expr: `1 - ${ratioName(o.windowMs)}{slo="${o.name}"} / ${round(1 - o.target)}`, labels },
        ...burnRatesOf(o, scrapeMs).map((r) => alertRule(o, r)),
      ],
    };
  });
  return HEADER + stringify({ groups }, { lineWidth: 0, aliasDuplicateObjects: false });
}

/** Whether a label value satisfies a matcher (regexes anchored, as Prometheus anchors them). */
function accepts(m: Matcher, v: string): boolean {
  const hit = m.op === '=' || m.op === '!=' ? v === m.value : new RegExp(`^(?:${m.value})$`).test(v);
  return (m.op === '=' || m.op === '=~') === hit;
}

/** A value that `m` accepts (or refuses, with `accept` false), among a few likely ones; undefined when none fits. */
function valueFor(m: Matcher, accept: boolean): string | undefined {
  const candidates = m.op === '=' || m.op === '!=' ? [m.value, `${m.value}x`] : ['500', '200', '1', '0', 'ok', 'x', m.value, m.value.replace(/[^\w.-]/g, '')];
  return candidates.find((v) => accepts(m, v) === accept);
}

/** A concrete series a selector matches (extra labels from `also`), or why there is none. */
function seriesOf(s: Selector, also: Record<string, string> = {}): Record<string, string> | undefined {
  const labels: Record<string, string> = { ...also };
  for (const m of s.matchers) {
    if (m.name in labels) {
      if (!accepts(m, labels[m.name]!)) return undefined;
      continue;
    }
    const v = valueFor(m, true);
    if (v === undefined) return undefined;
    if (v !== '') labels[m.name] = v;
  }
  return labels;
}

const seriesText = (metric: string, labels: Record<string, string>) => `${metric}{${Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}}`;

/**
 * Input series that give the objective an error ratio `ratio` at every step (per step: `per`
 * events in all). Same metric for events and total: one series the events selector matches and
 * one only the total matches; different metrics: one series of each.
 */
function inputsFor(o: Objective, ratio: number, per: number, steps: number): { series: string; values: string }[] | undefined {
  const eventsShare = o.sli.kind === 'bad' ? ratio : 1 - ratio;
  const grow = (n: number) => `0+${round(n)}x${steps}`;
  const { events, total } = o.sli;
  if (events.metric !== total.metric) {
    const e = seriesOf(events);
    const t = seriesOf(total);
    if (!e || !t) return undefined;
    return [{ series: seriesText(events.metric, e), values: grow(eventsShare * per) }, { series: seriesText(total.metric, t), values: grow(per) }];
  }
  const e = seriesOf(events, seriesOf(total) ?? {});
  if (!e) return undefined;
  // The other series: the total's labels, with one of the events' own matchers refused.
  const own = events.matchers.filter((m) => !total.matchers.some((x) => x.name === m.name && x.op === m.op && x.value === m.value));
  for (const m of own) {
    const v = valueFor(m, false);
    if (v === undefined) continue;
    const rest = seriesOf(total, { ...e, [m.name]: v });
    if (rest) return [{ series: seriesText(events.metric, e), values: grow(eventsShare * per) }, { series: seriesText(total.metric, rest), values: grow((1 - eventsShare) * per) }];
  }
  return undefined;
}

/**
 * The promtool test of the generated rules: per objective, a steady error ratio (none; between
 * the page and the ticket thresholds; past every threshold) held for longer than its longest
 * window, and exactly the burn alerts the arithmetic says at the end. Objectives whose selectors
 * this cannot make series for are named in `skipped`.
 */
export function generateTests(objectives: Objective[], scrapeMs: number): { text: string; skipped: string[] } {
  const skipped: string[] = [];
  const tests = objectives.flatMap((o) => {
    const rates = burnRatesOf(o, scrapeMs);
    const shortest = Math.min(...rates.map((r) => r.shortMs));
    // Samples often enough for rate() over the shortest window, at most one a minute. The ratio
    // is steady, so a window that reaches back before the first sample still reads it exactly
    // (both counters extrapolate alike): 30 samples test every window, where the longest
    // window's worth of samples (3 days) would take promtool minutes.
    const interval = Math.min(M, Math.max(1000, Math.floor(shortest / 4 / 1000) * 1000));
    const steps = 30;
    const thresholds = [...new Set(rates.map((r) => thresholdOf(o, r)))].sort((a, b) => a - b);
    // Between the highest ticket threshold and the lowest page one (else the two lowest): tickets, no page.
    const tickets = rates.filter((r) => r.severity === 'ticket').map((r) => thresholdOf(o, r));
    const pages = rates.filter((r) => r.severity === 'page').map((r) => thresholdOf(o, r));
    const between = tickets.length && pages.length && Math.max(...tickets) < Math.min(...pages) ? (Math.max(...tickets) + Math.min(...pages)) / 2
      : thresholds.length > 1 ? (thresholds[0]! + thresholds[1]!) / 2 : undefined;
    const ratios = [0, ...(between !== undefined ? [round(between)] : []), Math.min(1, thresholds.at(-1)! * 2)].filter((x, i, all) => all.indexOf(x) === i);
    return ratios.flatMap((ratio) => {
      const inputs = inputsFor(o, ratio, 1000, steps);
      if (!inputs) {
        if (!skipped.includes(o.name)) skipped.push(o.name);
        return [];
      }
      return [{
        name: `${o.name}: error ratio ${pct(ratio)} for ${formatDuration(steps * interval)}`,
        interval: formatDuration(interval),
        input_series: inputs,
        alert_rule_test: [{
          eval_time: formatDuration((steps - 1) * interval),
          alertname: BURN_ALERT,
          exp_alerts: rates.filter((r) => ratio > thresholdOf(o, r)).map((r) => ({ exp_labels: burnLabels(o, r), exp_annotations: burnAnnotations(o, r) })),
        }],
      }];
    });
  });
  const text = `${HEADER}# promtool test rules ${SLO_TESTS_FILE}: each objective's burn alerts at a steady error ratio.\n${stringify({ rule_files: [`../${SLO_RULES_FILE}`], evaluation_interval: formatDuration(Math.min(M, scrapeMs, ...objectives.map((o) => Math.max(1000, Math.floor(Math.min(...burnRatesOf(o, scrapeMs).map((r) => r.shortMs)) / 4 / 1000) * 1000)))), tests }, { lineWidth: 0, aliasDuplicateObjects: false })}`;
  return { text, skipped };
}
