// The alerting state machine on hand-made series, each case as Prometheus' AlertingRule.Eval
// would run it at the same evaluations.
import { describe, expect, it } from 'vitest';
import { activationsFromAlerts, disagreements, replayAlert, type EvalSeries } from './replay.js';

const I = 15_000; // the evaluation interval
const evals = (n: number) => Array.from({ length: n }, (_, i) => 1_000_000 + i * I);
/** A series returned at the evaluations whose index is in `at`. */
const series = (labels: Record<string, string>, at: number[]): EvalSeries => ({ labels, values: new Map(at.map((i) => [1_000_000 + i * I, 1])) });
const t = (i: number) => 1_000_000 + i * I;
const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);
const rule = { name: 'HighForbiddenRate', forMs: 60_000, keepFiringForMs: 0, labels: { severity: 'warning' } };

describe('replaying a rule\'s evaluations', () => {
  it('is pending from the first evaluation that returns a series and fires at the first one at least `for` later', () => {
    const out = replayAlert(evals(20), [series({ job: 'api' }, range(2, 12))], rule);
    expect(out).toEqual([{ labels: { job: 'api', severity: 'warning', alertname: 'HighForbiddenRate' }, pendingFrom: t(2), firingFrom: t(6), resolvedAt: t(12) }]);
  });

  it('fires at once without `for`, and is still active at the end when nothing resolved it', () => {
    expect(replayAlert(evals(5), [series({ job: 'api' }, [3, 4])], { ...rule, forMs: 0 })).toEqual([{ labels: { job: 'api', severity: 'warning', alertname: 'HighForbiddenRate' }, pendingFrom: t(3), firingFrom: t(3) }]);
  });

  it('drops a pending alert at one missing evaluation (a gap shorter than the interval still misses it), and starts over', () => {
    const out = replayAlert(evals(20), [series({ job: 'api' }, [...range(0, 3), ...range(4, 10)])], rule);
    expect(out.map((a) => [a.pendingFrom, a.firingFrom, a.resolvedAt])).toEqual([[t(0), undefined, t(3)], [t(4), t(8), t(10)]]);
  });

  it('keeps firing for `keep_firing_for` after the expression stops, and not when it comes back meanwhile', () => {
    const keep = { ...rule, forMs: 0, keepFiringForMs: 45_000 };
    // Stops after 3: kept at 3, 4, 5 (< 45 s since 3), resolved at 6.
    expect(replayAlert(evals(10), [series({ job: 'api' }, [0, 1, 2])], keep).map((a) => [a.firingFrom, a.resolvedAt])).toEqual([[t(0), t(6)]]);
    // Back at 4: one activation, kept through the gap, resolved 3 evaluations after the last.
    expect(replayAlert(evals(12), [series({ job: 'api' }, [0, 1, 4, 5])], keep).map((a) => [a.pendingFrom, a.firingFrom, a.resolvedAt])).toEqual([[t(0), t(0), t(9)]]);
    // A pending alert is never kept.
    expect(replayAlert(evals(10), [series({ job: 'api' }, [0, 1])], { ...keep, forMs: 60_000 }).map((a) => [a.firingFrom, a.resolvedAt])).toEqual([[undefined, t(2)]]);
  });

  it('follows each label set on its own: a series whose labels change is a new alert, the old one resolves', () => {
    const out = replayAlert(evals(16), [series({ job: 'api', instance: 'a' }, range(0, 8)), series({ job: 'api', instance: 'b' }, range(8, 16))], rule);
    expect(out.map((a) => [a.labels.instance, a.pendingFrom, a.firingFrom, a.resolvedAt])).toEqual([['a', t(0), t(4), t(8)], ['b', t(8), t(12), undefined]]);
  });

  it('reads the same activations back from ALERTS series, and finds no disagreement with itself but one where Prometheus differs', () => {
    const e = evals(20);
    const would = replayAlert(e, [series({ job: 'api' }, range(2, 12))], rule);
    const labels = { __name__: 'ALERTS', alertname: 'HighForbiddenRate', job: 'api', severity: 'warning' };
    const alerts = [series({ ...labels, alertstate: 'pending' }, range(2, 6)), series({ ...labels, alertstate: 'firing' }, range(6, 12))];
    expect(activationsFromAlerts(e, alerts)).toEqual(would);
    expect(disagreements(would, activationsFromAlerts(e, alerts), e)).toEqual([]);
    const late = [series({ ...labels, alertstate: 'pending' }, range(2, 7)), series({ ...labels, alertstate: 'firing' }, range(7, 12))];
    expect(disagreements(would, activationsFromAlerts(e, late), e)).toEqual([`[["alertname","HighForbiddenRate"],["job","api"],["severity","warning"]] @ ${t(6)}: backtest firing, Prometheus pending`]);
  });
});
