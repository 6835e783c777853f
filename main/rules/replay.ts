// Prometheus' alerting state machine (rules/alerting.go, AlertingRule.Eval) replayed over the
// results of a rule's expression at each evaluation: an alert per label set of the result, pending
// at the first evaluation that returns it, firing at the first evaluation at least `for` after
// that, kept firing for `keep_firing_for` after the expression stops returning it, and resolved at
// the first evaluation that neither returns nor keeps it. A pending alert that is not returned is
// dropped (no resolve); a label set that comes back after resolving starts pending again. The same
// shape is read back from Prometheus' own ALERTS series, so the two can be compared evaluation by
// evaluation.
import type { AlertActivation } from '../contract.js';

export type Labels = Record<string, string>;

/** One series of the expression's result: its labels and its value at each evaluation it was returned. */
export interface EvalSeries { labels: Labels; values: Map<number, number> }

/** A label set as one string (sorted), as Prometheus hashes a result's labels. */
export function labelKey(labels: Labels): string {
  return JSON.stringify(Object.keys(labels).sort().map((k) => [k, labels[k]]));
}

/** A series' labels without its metric name. */
export function withoutName(labels: Labels): Labels {
  return Object.fromEntries(Object.entries(labels).filter(([k]) => k !== '__name__'));
}

/** The labels an alert gets from a result series: without `__name__`, the rule's labels over them, and `alertname`. */
export function alertLabels(result: Labels, name: string, ruleLabels: Labels): Labels {
  return { ...withoutName(result), ...ruleLabels, alertname: name };
}

interface Active { activation: AlertActivation; firing: boolean; keepFiringSince?: number }

/**
 * The activations of an alerting rule over `evaluations` (ascending ms timestamps), given the
 * result series of its expression. Activations still active at the last evaluation have no
 * `resolvedAt`; a pending one that was dropped has `resolvedAt` and no `firingFrom`.
 */
export function replayAlert(evaluations: number[], series: EvalSeries[], rule: { name: string; forMs: number; keepFiringForMs: number; labels: Labels }): AlertActivation[] {
  const byKey = new Map(series.map((s) => [labelKey(s.labels), s]));
  const active = new Map<string, Active>();
  const done: AlertActivation[] = [];
  for (const ts of evaluations) {
    for (const [key, s] of byKey) {
      if (!s.values.has(ts)) continue;
      const a = active.get(key);
      if (a) a.keepFiringSince = undefined;
      else active.set(key, { activation: { labels: alertLabels(s.labels, rule.name, rule.labels), pendingFrom: ts }, firing: false });
    }
    for (const [key, a] of active) {
      if (!byKey.get(key)!.values.has(ts)) {
        let keep = false;
        if (a.firing && rule.keepFiringForMs > 0) {
          a.keepFiringSince ??= ts;
          keep = ts - a.keepFiringSince < rule.keepFiringForMs;
        }
        if (!keep) {
          a.activation.resolvedAt = ts;
          done.push(a.activation);
          active.delete(key);
          continue;
        }
      }
      if (!a.firing && ts - a.activation.pendingFrom >= rule.forMs) {
        a.firing = true;
        a.activation.firingFrom = ts;
      }
    }
  }
  return sortActivations([...done, ...[...active.values()].map((a) => a.activation)]);
}

export function sortActivations(list: AlertActivation[]): AlertActivation[] {
  return list.sort((a, b) => a.pendingFrom - b.pendingFrom || labelKey(a.labels).localeCompare(labelKey(b.labels)));
}

/** The state of each label set at each evaluation, from activations: `${labels} @ ts` → pending | firing. */
export function statesAt(activations: AlertActivation[], evaluations: number[]): Map<string, 'pending' | 'firing'> {
  const out = new Map<string, 'pending' | 'firing'>();
  for (const a of activations) {
    const key = labelKey(a.labels);
    for (const ts of evaluations) {
      if (ts < a.pendingFrom || (a.resolvedAt !== undefined && ts >= a.resolvedAt)) continue;
      out.set(`${key} @ ${ts}`, a.firingFrom !== undefined && ts >= a.firingFrom ? 'firing' : 'pending');
    }
  }
  return out;
}

/**
 * Activations as Prometheus recorded them: ALERTS series (one per label set and `alertstate`)
 * sampled at the same evaluations. A label set pending at the first evaluation was pending
 * since then or earlier (the replay starts `for` + `keep_firing_for` early for this reason).
 */
export function activationsFromAlerts(evaluations: number[], alerts: EvalSeries[]): AlertActivation[] {
  const byLabels = new Map<string, { labels: Labels; pending: Set<number>; firing: Set<number> }>();
  for (const s of alerts) {
    const labels = withoutName(s.labels);
    const alertstate = labels.alertstate;
    delete labels.alertstate;
    const key = labelKey(labels);
    const entry = byLabels.get(key) ?? { labels, pending: new Set<number>(), firing: new Set<number>() };
    byLabels.set(key, entry);
    for (const ts of s.values.keys()) (alertstate === 'firing' ? entry.firing : entry.pending).add(ts);
  }
  const out: AlertActivation[] = [];
  for (const { labels, pending, firing } of byLabels.values()) {
    let current: AlertActivation | undefined;
    for (const ts of evaluations) {
      const isFiring = firing.has(ts);
      const isPending = !isFiring && pending.has(ts);
      if (current && (!(isFiring || isPending) || (isPending && current.firingFrom !== undefined))) {
        current.resolvedAt = ts;
        out.push(current);
        current = undefined;
      }
      if (!isFiring && !isPending) continue;
      current ??= { labels, pendingFrom: ts };
      if (isFiring) current.firingFrom ??= ts;
    }
    if (current) out.push(current);
  }
  return sortActivations(out);
}

/** Where two sets of activations disagree at the given evaluations, one line each (empty when they agree). */
export function disagreements(would: AlertActivation[], actual: AlertActivation[], evaluations: number[]): string[] {
  const a = statesAt(would, evaluations);
  const b = statesAt(actual, evaluations);
  const out: string[] = [];
  for (const key of new Set([...a.keys(), ...b.keys()])) {
    if (a.get(key) !== b.get(key)) out.push(`${key}: backtest ${a.get(key) ?? 'inactive'}, Prometheus ${b.get(key) ?? 'inactive'}`);
  }
  return out.sort();
}
