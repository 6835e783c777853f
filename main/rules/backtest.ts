// A rule (applied, or in a draft of the rules file) evaluated over a past window of the live
// Prometheus, the way Prometheus would have evaluated it: range queries stepping at the group's
// interval, aligned to the group's evaluation phase as read from the raw timestamps of a series
// the group writes, starting `for` + `keep_firing_for` before the window so its first minutes
// are right, in chunks under the 11,000-point limit of a range query; a draft's changed recording
// rules evaluated inline. The alerting state machine is replayed in TypeScript (replay.ts) and,
// for an applied rule, set beside what Prometheus recorded in ALERTS.
import type { BacktestResult, BacktestSeries } from '../contract.js';
import { ApiError, type PrometheusClient, type RuleGroup } from '../prom/client.js';
import { findRule, globalInterval, readRuleFile, ruleAt, WorkbenchError, type RuleDef, type RuleGroupDef } from './files.js';
import { inlineRecorded, splitThreshold } from './promql-edit.js';
import { activationsFromAlerts, disagreements, labelKey, replayAlert, withoutName, type EvalSeries } from './replay.js';

export interface BacktestRequest {
  /** The rule's name (alert or record), and its group when the name is in several. */
  name?: string;
  /** With `draft`: the rule whose text holds this character (the editor's cursor), in place of `name`. */
  at?: number;
  group?: string;
  /** A draft of the rules file; without it, the applied one. */
  draft?: string;
  from: number;
  to: number;
}

/** At most this many evaluations in one range query (Prometheus refuses more than 11,000 points a series). */
export const CHUNK_STEPS = 10_000;
/** The longest window a backtest takes (at 15 s: about 40,000 evaluations). */
export const MAX_WINDOW_MS = 7 * 86_400_000;

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const norm = (expr: string) => expr.replace(/\s+/g, ' ').trim();

/** prometheus.yml's global evaluation_interval (Prometheus' default, 1m, when it sets none or does not parse). */
export const globalEvaluationInterval = (prometheusYml: string): number => globalInterval(prometheusYml, 'evaluation_interval');

/** The evaluation timestamps from the first at or after `from` to the last at or before `to`. */
export function evaluationTimes(from: number, to: number, intervalMs: number, phaseMs: number): number[] {
  const first = Math.ceil((from - phaseMs) / intervalMs) * intervalMs + phaseMs;
  const out: number[] = [];
  for (let t = first; t <= to; t += intervalMs) out.push(t);
  return out;
}

/** A range query over `evaluations` (evenly spaced), in chunks; each series' values by timestamp. */
export async function rangeAt(prom: PrometheusClient, expr: string, evaluations: number[], intervalMs: number): Promise<EvalSeries[]> {
  const byKey = new Map<string, EvalSeries>();
  for (let i = 0; i < evaluations.length; i += CHUNK_STEPS) {
    const chunk = evaluations.slice(i, i + CHUNK_STEPS);
    const data = await prom.queryRange(expr, chunk[0]! / 1000, chunk.at(-1)! / 1000, intervalMs / 1000).catch((err: unknown) => {
      // Prometheus' own word on an expression it cannot run (a draft's typo) is the user's to fix.
      if (err instanceof ApiError && err.status !== undefined && err.status < 500) throw new WorkbenchError(`Prometheus refused ${expr}: ${err.message}`);
      throw err;
    });
    if (data.resultType !== 'matrix') throw new WorkbenchError(`the expression gives a ${data.resultType}, not a vector: a rule's expression must give a vector`);
    for (const s of data.result) {
      const key = labelKey(s.metric);
      const entry = byKey.get(key) ?? { labels: s.metric, values: new Map<number, number>() };
      byKey.set(key, entry);
      for (const [t, v] of s.values) entry.values.set(Math.round(t * 1000), Number(v));
    }
  }
  return [...byKey.values()];
}

/**
 * The group's evaluation phase: a timestamp of a sample it wrote (a recorded series, or ALERTS of
 * one of its alerts), modulo the interval; else its last evaluation's wall-clock start (a few ms
 * late); else none (a group Prometheus does not run yet: multiples of the interval).
 */
export async function groupPhase(prom: PrometheusClient, group: RuleGroup | undefined, intervalMs: number): Promise<BacktestResult['phase']> {
  if (!group) return { ms: 0, from: 'none' };
  const lookback = `${Math.max(5 * intervalMs, 300_000) / 1000}s`;
  const records = group.rules.filter((r) => r.type === 'recording').map((r) => escapeRegex(r.name));
  const alerts = group.rules.filter((r) => r.type === 'alerting').map((r) => escapeRegex(r.name));
  const selectors = [
    ...(records.length ? [`{__name__=~"${records.join('|')}"}[${lookback}]`] : []),
    ...(alerts.length ? [`ALERTS{alertname=~"${alerts.join('|')}"}[${lookback}]`] : []),
  ];
  for (const sel of selectors) {
    const data = await prom.query(sel).catch(() => undefined);
    const last = data?.resultType === 'matrix' ? (data.result)[0]?.values.at(-1) : undefined;
    if (last) return { ms: ((Math.round(last[0] * 1000) % intervalMs) + intervalMs) % intervalMs, from: 'series' };
  }
  const at = group.lastEvaluation ? Date.parse(group.lastEvaluation) : NaN;
  if (Number.isFinite(at) && at > 0) return { ms: at % intervalMs, from: 'last-evaluation' };
  return { ms: 0, from: 'none' };
}

/** Recording rules of the draft whose expression differs from the applied file's (or that are new there). */
export function changedRecordings(draft: RuleGroupDef[], applied: RuleGroupDef[]): Map<string, string> {
  const before = new Map(applied.flatMap((g) => g.rules.filter((r) => r.kind === 'record').map((r) => [r.name, norm(r.expr)] as const)));
  const out = new Map<string, string>();
  for (const g of draft) for (const r of g.rules) if (r.kind === 'record' && before.get(r.name) !== norm(r.expr)) out.set(r.name, r.expr);
  return out;
}

/** When Prometheus (re)started between `from` and `to`: its alerts start over there. */
async function restartsWithin(prom: PrometheusClient, from: number, to: number): Promise<number[]> {
  const starts = new Set<number>();
  const step = Math.max(15, Math.ceil((to - from) / 1000 / 1000));
  const data = await prom.queryRange('max(process_start_time_seconds{job="prometheus"})', from / 1000, to / 1000, step).catch(() => undefined);
  if (data?.resultType === 'matrix') for (const s of data.result) for (const [, v] of s.values) starts.add(Math.round(Number(v) * 1000));
  const info = await prom.runtimeInfo().catch(() => undefined);
  if (info) starts.add(Date.parse(info.startTime));
  // process_start_time_seconds and the runtime's start time differ by the start-up's seconds: one restart.
  const sorted = [...starts].filter((t) => t > from && t <= to).sort((a, b) => a - b);
  return sorted.filter((t, i) => i === 0 || t - sorted[i - 1]! > 30_000);
}

/**
 * The evaluations where the backtest can be held to Prometheus' ALERTS: not those from a restart
 * until its third evaluation, since Prometheus writes ALERTS only once it has restored its alerts'
 * state, after two evaluations (rules/group.go), and an alert's `for` restarts or is restored there.
 */
export function comparable(evaluations: number[], restarts: number[], intervalMs: number): number[] {
  return evaluations.filter((t) => !restarts.some((r) => t >= r - intervalMs && t < r + 3 * intervalMs));
}

const toPoints = (s: EvalSeries, from: number): BacktestSeries => ({ labels: s.labels, points: [...s.values].filter(([t]) => t >= from).sort((a, b) => a[0] - b[0]) });

function recordedAs(series: EvalSeries[], rule: RuleDef): EvalSeries[] {
  return series.map((s) => {
    return { labels: { __name__: rule.name, ...withoutName(s.labels), ...rule.labels }, values: s.values };
  });
}

export async function backtest(prom: PrometheusClient, applied: string, req: BacktestRequest, globalIntervalMs: number): Promise<BacktestResult> {
  if (!(req.to > req.from)) throw new WorkbenchError('the window must end after it starts');
  if (req.to - req.from > MAX_WINDOW_MS) throw new WorkbenchError('a backtest window is at most 7 days');
  const appliedGroups = readRuleFile(applied);
  const groups = req.draft !== undefined ? readRuleFile(req.draft) : appliedGroups;
  const found = req.name !== undefined ? findRule(groups, req.name, req.group) : req.at !== undefined ? ruleAt(groups, req.at) : undefined;
  if (!found) {
    throw new WorkbenchError(req.name !== undefined
      ? `no rule named ${req.name}${req.group ? ` in group ${req.group}` : ''} in the ${req.draft !== undefined ? 'draft' : 'applied rules file'}`
      : 'the cursor is not on a rule: put it inside an alert or record rule');
  }
  const { group, rule } = found;
  const running = (await prom.rules()).groups.find((g) => g.name === group.name);
  const intervalMs = group.intervalMs ?? (running ? running.interval * 1000 : globalIntervalMs);
  const phase = await groupPhase(prom, running, intervalMs);
  const evalFrom = req.from - rule.forMs - rule.keepFiringForMs;
  // An evaluation of the last second or two may still be running in Prometheus: not yet in ALERTS.
  const evaluations = evaluationTimes(evalFrom, Math.min(req.to, Date.now() - 2000), intervalMs, phase.ms);
  if (!evaluations.length) throw new WorkbenchError('the window holds no evaluation of the group');
  const notes: string[] = [];
  if (phase.from === 'last-evaluation') notes.push('the group wrote no series lately: its phase is read from its last evaluation\'s start, which can be a few ms late');
  if (phase.from === 'none') notes.push(`Prometheus does not run group ${group.name} yet: evaluations at multiples of ${intervalMs / 1000}s`);

  const inline = req.draft !== undefined ? inlineRecorded(rule.expr, changedRecordings(groups, appliedGroups), intervalMs) : { expr: rule.expr, inlined: [], kept: [] };
  for (const k of inline.kept) notes.push(`${k} is read with matchers or an offset, so the draft's change to it is not evaluated inline: the stored series is used`);
  const series = await rangeAt(prom, inline.expr, evaluations, intervalMs);
  const threshold = rule.kind === 'alert' ? splitThreshold(inline.expr) : undefined;
  const graphSeries = threshold ? await rangeAt(prom, threshold.left, evaluations.filter((t) => t >= req.from), intervalMs) : series;
  const inWindow = evaluations.filter((t) => t >= req.from);

  const appliedRule = running?.rules.find((r) => r.name === rule.name && r.type === (rule.kind === 'alert' ? 'alerting' : 'recording'));
  const result: BacktestResult = {
    rule: { name: rule.name, kind: rule.kind, group: group.name, expr: rule.expr, forMs: rule.forMs, keepFiringForMs: rule.keepFiringForMs, draft: req.draft !== undefined },
    from: req.from,
    to: req.to,
    evalFrom,
    intervalMs,
    phase,
    evaluations: evaluations.length,
    graph: { expr: threshold?.left ?? inline.expr, ...(threshold ? { threshold: { op: threshold.op, value: threshold.value } } : {}), series: graphSeries.map((s) => toPoints(s, req.from)) },
    would: [],
    restarts: await restartsWithin(prom, evalFrom, req.to),
    inlined: inline.inlined,
    notes,
  };
  if (rule.kind === 'alert') {
    result.would = replayAlert(evaluations, series, { name: rule.name, forMs: rule.forMs, keepFiringForMs: rule.keepFiringForMs, labels: rule.labels });
    if (appliedRule) {
      const alerts = await rangeAt(prom, `ALERTS{alertname="${rule.name}"}`, evaluations, intervalMs);
      result.actual = activationsFromAlerts(evaluations, alerts);
      const compared = comparable(inWindow, result.restarts, intervalMs);
      if (compared.length < inWindow.length) notes.push(`${inWindow.length - compared.length} evaluations right after Prometheus started are not compared with its ALERTS: it writes them only once it has restored its alerts' state`);
      result.disagreements = disagreements(result.would, result.actual, compared);
    }
  } else {
    result.recorded = recordedAs(series, rule).map((s) => toPoints(s, req.from));
    if (appliedRule) result.actualRecorded = (await rangeAt(prom, rule.name, inWindow, intervalMs)).map((s) => toPoints(s, req.from));
  }
  return result;
}
