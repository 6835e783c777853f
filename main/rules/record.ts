// "Record as test": from a window of live data, a promtool test file for one alerting rule. The
// input series are the raw series its expression reads (found with the PromQL grammar, followed
// through recording rules down to raw series), sampled at the evaluation interval from the
// window's start less the longest range the expression looks back over and the 5-minute lookback,
// in promtool's notation; the expected alerts are the backtest's, at times well inside each
// firing and each quiet stretch (not on an edge, where a sample's timing decides). The stack's
// promtool then runs it: a test where promtool and the backtest disagree is refused, never saved.
import fs from 'node:fs';
import path from 'node:path';
import { parser } from '@prometheus-io/lezer-promql';
import type Docker from 'dockerode';
import { stringify } from 'yaml';
import type { AlertActivation, RecordedTest } from '../contract.js';
import type { PrometheusClient } from '../prom/client.js';
import { backtest, rangeAt } from './backtest.js';
import { findRule, formatDuration, parseDuration, readRuleFile, WorkbenchError } from './files.js';
import { runTestText, TESTS_DIR } from './tests.js';

/** Prometheus' default lookback: an instant selector sees a sample up to 5 minutes old. */
const LOOKBACK_MS = 300_000;
/** promtool test inputs stay readable: at most this many samples a series. */
const MAX_SAMPLES = 2000;

/**
 * The raw series selectors an expression reads, through recording rules (`recorded`: name →
 * expression), and how far back from an evaluation it needs data: the longest chain of ranges
 * and subqueries along the way.
 */
export function rawInputs(expr: string, recorded: ReadonlyMap<string, string>, depth = 0): { selectors: string[]; backMs: number } {
  if (depth > 10) throw new WorkbenchError('recording rules read each other in a loop');
  const selectors = new Set<string>();
  let backMs = 0;
  parser.parse(expr).iterate({
    enter(ref) {
      const n = ref.node;
      if (n.name === 'MatrixSelector' || n.name === 'SubqueryExpr') {
        const range = n.getChild('DurationExpr') ?? n.getChild('NumberDurationLiteralInDurationContext');
        const ms = range ? durationOr0(expr.slice(range.from, range.to)) : 0;
        backMs = Math.max(backMs, ms + innerBack(expr.slice(n.from, n.to), recorded, depth));
      }
      if (n.name !== 'VectorSelector') return undefined;
      const id = n.getChild('Identifier');
      const name = id ? expr.slice(id.from, id.to) : undefined;
      if (name && recorded.has(name)) {
        const inner = rawInputs(recorded.get(name)!, recorded, depth + 1);
        for (const s of inner.selectors) selectors.add(s);
        backMs = Math.max(backMs, inner.backMs);
      } else {
        selectors.add(expr.slice(n.from, n.to));
      }
      return false;
    },
  });
  return { selectors: [...selectors].sort(), backMs };
}

function durationOr0(text: string): number {
  try {
    return parseDuration(text);
  } catch {
    return 0;
  }
}

/** Inside a range or subquery: what recording rules it reads need further back. */
function innerBack(text: string, recorded: ReadonlyMap<string, string>, depth: number): number {
  let back = 0;
  parser.parse(text).iterate({
    enter(ref) {
      if (ref.node.name !== 'VectorSelector') return undefined;
      const id = ref.node.getChild('Identifier');
      const name = id ? text.slice(id.from, id.to) : undefined;
      if (name && recorded.has(name)) back = Math.max(back, rawInputs(recorded.get(name)!, recorded, depth + 1).backMs);
      return false;
    },
  });
  return back;
}

/** A series' labels as promtool's input notation writes them: `name{a="b", c="d"}`. */
export function seriesText(labels: Record<string, string>): string {
  const { __name__: name = '', ...rest } = labels;
  const pairs = Object.keys(rest).sort().map((k) => `${k}=${JSON.stringify(rest[k])}`);
  return `${name}{${pairs.join(', ')}}`;
}

/** Values at each step in promtool's notation: the number, or `_` where the series had none. */
export function valuesText(times: number[], values: Map<number, number>): string {
  return times.map((t) => {
    const v = values.get(t);
    return v === undefined ? '_' : Number.isFinite(v) ? String(v) : v > 0 ? 'Inf' : v < 0 ? '-Inf' : 'NaN';
  }).join(' ');
}

/**
 * When to hold the rule to the backtest: the middle of each firing (the state is the same for
 * several evaluations around it) and the middle of the longest quiet stretch, at most six times;
 * relative to `start`, rounded to the interval.
 */
export function expectationTimes(activations: AlertActivation[], from: number, to: number, intervalMs: number): number[] {
  const round = (t: number) => Math.round(t / intervalMs) * intervalMs;
  const times: number[] = [];
  for (const a of activations) {
    if (a.firingFrom === undefined) continue;
    const end = a.resolvedAt ?? to;
    if (end - a.firingFrom >= 3 * intervalMs && a.firingFrom >= from) times.push(round((a.firingFrom + end) / 2));
  }
  // Quiet: the longest stretch with nothing pending or firing.
  const busy = activations.map((a) => [a.pendingFrom, a.resolvedAt ?? to] as const).sort((x, y) => x[0] - y[0]);
  let best: [number, number] | undefined;
  let cursor = from;
  for (const [s, e] of [...busy, [to, to] as const]) {
    if (s - cursor > (best ? best[1] - best[0] : 4 * intervalMs)) best = [cursor, s];
    cursor = Math.max(cursor, e);
  }
  if (best) times.push(round((best[0] + best[1]) / 2));
  return [...new Set(times)].sort((a, b) => a - b).slice(0, 6);
}

/** The labels and annotations promtool reports it got, for the case at `evalTime` (from a failed run). */
export function gotAnnotations(words: string): Record<string, string>[] {
  const got = words.slice(words.indexOf('got:'));
  return [...got.matchAll(/Annotations:\{(.*)\}/g)].map((m) => Object.fromEntries([...m[1]!.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((p) => [p[1]!, JSON.parse(`"${p[2]!}"`) as string])));
}

export interface RecordRequest { name: string; group?: string; from: number; to: number; /** Save as tests/<save>.yml when promtool agrees. */ save?: string }

/**
 * `save` keeps the file (its path in the config directory, its text): the callers apply it as a
 * change of the config directory, so it is under the lock and in the version history.
 */
export async function recordTest(prom: PrometheusClient, docker: Docker, image: string, configDir: string, rulesText: string, req: RecordRequest, intervalMs: number, save?: (rel: string, text: string) => Promise<unknown>): Promise<RecordedTest> {
  const groups = readRuleFile(rulesText);
  const found = findRule(groups, req.name, req.group);
  if (!found || found.rule.kind !== 'alert') throw new WorkbenchError(`no alerting rule named ${req.name} in the applied rules file`);
  const { rule } = found;
  const recorded = new Map(groups.flatMap((g) => g.rules.filter((r) => r.kind === 'record').map((r) => [r.name, r.expr] as const)));
  const inputs = rawInputs(rule.expr, recorded);
  const start = Math.floor((req.from - inputs.backMs - LOOKBACK_MS - rule.forMs) / intervalMs) * intervalMs;
  const end = Math.floor(req.to / intervalMs) * intervalMs;
  const times: number[] = [];
  for (let t = start; t <= end; t += intervalMs) times.push(t);
  if (times.length > MAX_SAMPLES) throw new WorkbenchError(`a recorded test holds at most ${MAX_SAMPLES} samples a series: choose a window under ${formatDuration((MAX_SAMPLES * intervalMs) - inputs.backMs - LOOKBACK_MS)}`);
  const series = (await Promise.all(inputs.selectors.map((s) => rangeAt(prom, s, times, intervalMs)))).flat();
  if (!series.length) throw new WorkbenchError(`${inputs.selectors.join(', ')} had no samples between ${new Date(start).toISOString()} and ${new Date(end).toISOString()}`);

  const bt = await backtest(prom, rulesText, { name: rule.name, ...(req.group ? { group: req.group } : {}), from: req.from, to: req.to }, intervalMs);
  const at = expectationTimes(bt.would, req.from, end, intervalMs);
  const firingAt = (t: number) => bt.would.filter((a) => a.firingFrom !== undefined && a.firingFrom <= t && (a.resolvedAt === undefined || a.resolvedAt > t));
  const cases = at.map((t) => ({
    eval_time: formatDuration(t - start),
    alertname: rule.name,
    exp_alerts: firingAt(t).map((a) => ({ exp_labels: Object.fromEntries(Object.entries(a.labels).filter(([k]) => k !== 'alertname')), exp_annotations: {} })),
  }));
  const write = () => `# Recorded by Obsdeck from the stack's Prometheus: ${rule.name} between ${new Date(req.from).toISOString()} and ${new Date(req.to).toISOString()}.\n# Time 0 is ${new Date(start).toISOString()}; the expected alerts are the backtest's at those times.\n${stringify({
    rule_files: ['../prometheus_rules.yml'],
    evaluation_interval: formatDuration(intervalMs),
    tests: [{
      name: `${rule.name} as recorded ${new Date(req.to).toISOString().slice(0, 16)}`,
      interval: formatDuration(intervalMs),
      input_series: series.map((s) => ({ series: seriesText(s.labels), values: valuesText(times, s.values) })),
      alert_rule_test: cases,
    }],
  }, { lineWidth: 0 })}`;
  const shown = `${TESTS_DIR}/${req.save ?? 'recorded'}.yml`;
  const tryIt = (text: string) => runTestText(docker, image, shown, text, rulesText, 'applied');
  // Annotations are templates Prometheus expands: the first run says what they come to.
  let text = write();
  let verdict = await tryIt(text);
  if (!verdict.ok) {
    for (const c of verdict.cases) {
      if (c.ok || !c.message) continue;
      const i = cases.findIndex((x) => x.eval_time === c.evalTime);
      const got = gotAnnotations(c.message);
      if (i >= 0 && got.length === cases[i]!.exp_alerts.length) cases[i]!.exp_alerts.forEach((a, k) => { a.exp_annotations = got[k]!; });
    }
    text = write();
    verdict = await tryIt(text);
  }
  const result: RecordedTest = { text, verdict, agree: verdict.ok, expectations: at.map((t) => ({ at: t, firing: firingAt(t).length })) };
  if (req.save && verdict.ok) {
    if (!save) throw new WorkbenchError('this caller cannot save a recorded test');
    if (fs.existsSync(path.join(configDir, shown))) throw new WorkbenchError(`${shown} exists already: choose another name`);
    await save(shown, text);
    result.saved = shown;
  }
  return result;
}
