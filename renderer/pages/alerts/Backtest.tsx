// A rule backtested over a past window of the live Prometheus: its expression's graph with the
// threshold, per label set a row of pending and firing bands (the backtest's, and beside it what
// Prometheus recorded in ALERTS for the applied rule), and the table of would-have-fired
// intervals. The Alerts view opens it on an applied rule; the Config view on the rule under the
// cursor of a rules draft (Ctrl/Cmd+B runs it again after an edit).
import { useEffect, useState } from 'react';
import type { AlertActivation, BacktestResult, RecordedTest, RequestArgs } from '../../../main/contract';
import { useAction } from '../../client/useRequest';
import { Chart } from '../../components/Chart';
import type { ChartData } from '../../lib/chartdata';
import { seriesLabel } from '../../lib/chartdata';
import { useClient } from '../../state/app';

export const BACKTEST_WINDOWS = [{ label: '30m', ms: 1_800_000 }, { label: '1h', ms: 3_600_000 }, { label: '6h', ms: 21_600_000 }, { label: '24h', ms: 86_400_000 }, { label: '7d', ms: 604_800_000 }] as const;

export type BacktestTarget = Omit<RequestArgs<'rules:backtest'>, 'from' | 'to'>;

const time = (t: number | undefined) => (t === undefined ? '—' : new Date(t).toLocaleTimeString());
const labelsText = (l: Record<string, string>) => Object.entries(l).filter(([k]) => k !== 'alertname').map(([k, v]) => `${k}="${v}"`).join(', ') || '{}';
const key = (l: Record<string, string>) => JSON.stringify(Object.entries(l).sort());

/** The graph's series and, when the rule compares with a number, the threshold as a flat line. */
function chartData(r: BacktestResult): ChartData {
  const series = r.rule.kind === 'record' ? r.recorded ?? [] : r.graph.series;
  const times = [...new Set(series.flatMap((s) => s.points.map(([t]) => t / 1000)))].sort((a, b) => a - b);
  const index = new Map(times.map((t, i) => [t, i]));
  const out = series.slice(0, 12).map((s) => {
    const values = new Array<number | null>(times.length).fill(null);
    for (const [t, v] of s.points) values[index.get(t / 1000)!] = Number.isFinite(v) ? v : null;
    return { label: seriesLabel(s.labels), values };
  });
  const threshold = r.graph.threshold;
  if (threshold) out.push({ label: `threshold ${threshold.op} ${threshold.value}`, values: times.map(() => threshold.value) });
  return { times, series: out, window: [r.from / 1000, r.to / 1000] };
}

/** Pending and firing bands of one label set's activations across the window, as an SVG row. */
function Bands({ list, from, to, label }: { list: AlertActivation[]; from: number; to: number; label: string }) {
  const x = (t: number) => `${(Math.min(Math.max(t, from), to) - from) / (to - from) * 100}%`;
  const w = (a: number, b: number) => `${(Math.min(b, to) - Math.max(a, from)) / (to - from) * 100}%`;
  return (
    <svg role="img" aria-label={label} className="bands" width="100%" height="14" preserveAspectRatio="none">
      {list.flatMap((a, i) => {
        const end = a.resolvedAt ?? to;
        const pendingEnd = a.firingFrom ?? end;
        return [
          pendingEnd > from ? <rect key={`p${i}`} x={x(a.pendingFrom)} width={w(a.pendingFrom, pendingEnd)} y="2" height="10" className="band-pending" /> : null,
          a.firingFrom !== undefined && end > from ? <rect key={`f${i}`} x={x(a.firingFrom)} width={w(a.firingFrom, end)} y="2" height="10" className="band-firing" /> : null,
        ];
      })}
    </svg>
  );
}

/** "Record as test": the window's data as a promtool test of the applied rule, kept only when promtool agrees with the backtest. */
function RecordAsTest({ name, group, from, to }: { name: string; group: string; from: number; to: number }) {
  const client = useClient();
  const action = useAction();
  const [file, setFile] = useState(name.replace(/[^\w-]/g, '-').toLowerCase());
  const [recorded, setRecorded] = useState<RecordedTest | undefined>();
  return (
    <form className="toolbar wrap" aria-label="Record as test" onSubmit={(e) => {
      e.preventDefault();
      void action.run('record', async () => setRecorded(await client.request('rules:record', { name, group, from: Math.max(from, to - 86_400_000), to, save: file })));
    }}>
      <label>Record this window as a promtool test: tests/<input aria-label="Test file name" value={file} size={24} pattern="[\w-]{1,80}" onChange={(e) => setFile(e.target.value)} />.yml</label>
      <button type="submit" disabled={!!action.busy}>{action.busy ? 'Recording…' : 'Record as test'}</button>
      {action.error && <span role="alert" className="bad">{action.error.message}</span>}
      {recorded && (
        <span aria-label="Recorded test" className={recorded.agree ? 'good' : 'bad'}>
          {recorded.agree
            ? `Saved ${recorded.saved ?? ''}: promtool agrees with the backtest at ${recorded.expectations.length} times (${recorded.verdict.cases.length} cases).`
            : `Not saved: promtool and the backtest disagree — ${recorded.verdict.cases.filter((c) => !c.ok).map((c) => `${c.evalTime}: ${c.message ?? ''}`).join('; ')}`}
        </span>
      )}
    </form>
  );
}

export function BacktestPanel({ target, title, onClose, onRoute }: { target: BacktestTarget; title: string; onClose: () => void; onRoute?: (labels: Record<string, string>) => void }) {
  const client = useClient();
  const action = useAction();
  const [windowMs, setWindowMs] = useState<number>(3_600_000);
  const [result, setResult] = useState<BacktestResult | undefined>();
  const run = () => void action.run('backtest', async () => {
    const to = Date.now();
    setResult(await client.request('rules:backtest', { ...target, from: to - windowMs, to }));
  });
  const targetKey = JSON.stringify(target);
  useEffect(run, [targetKey, windowMs]); // again whenever the rule, the draft or the window changes

  const r = result;
  const inWindow = (list: AlertActivation[] | undefined) => (list ?? []).filter((a) => (a.resolvedAt ?? Infinity) > (r?.from ?? 0));
  const would = inWindow(r?.would);
  const actual = r?.actual && inWindow(r.actual);
  const labelSets = r ? [...new Map([...would, ...(actual ?? [])].map((a) => [key(a.labels), a.labels])).values()] : [];
  return (
    <section className="card backtest" aria-label={`Backtest ${title}`}>
      <div className="toolbar wrap">
        <h2>Backtest {title}</h2>
        <label>Window <select aria-label="Backtest window" value={windowMs} onChange={(e) => setWindowMs(Number(e.target.value))}>
          {BACKTEST_WINDOWS.map((w) => <option key={w.label} value={w.ms}>last {w.label}</option>)}
        </select></label>
        <button type="button" disabled={!!action.busy} onClick={run}>{action.busy ? 'Backtesting…' : 'Run again'}</button>
        <button type="button" onClick={onClose}>Close</button>
      </div>
      {action.error && <p role="alert" className="bad">{action.error.message}</p>}
      {r && (
        <>
          <p className="muted" aria-label="Backtest summary">
            {r.rule.kind === 'alert' ? 'Alert' : 'Recording rule'} {r.rule.name} ({r.rule.draft ? 'draft' : 'applied'}, group {r.rule.group}): {r.evaluations} evaluations every {r.intervalMs / 1000}s
            {r.rule.kind === 'alert' ? `, for ${r.rule.forMs / 1000}s${r.rule.keepFiringForMs ? `, keep firing ${r.rule.keepFiringForMs / 1000}s` : ''}` : ''}
            {r.phase.from === 'series' ? ', aligned to the group\'s own evaluations' : ''}.
            {r.inlined.length > 0 && ` Evaluated inline from the draft: ${r.inlined.join(', ')}.`}
          </p>
          {r.notes.map((n) => <p key={n} className="warn">{n}</p>)}
          {r.restarts.map((t) => <p key={t} className="warn">Prometheus (re)started at {time(t)}: its alerts started over there, so differences near it are expected.</p>)}
          <p className="muted"><code>{r.graph.expr}</code></p>
          <Chart data={chartData(r)} unit="short" height={160} />
          {r.rule.kind === 'alert' && (
            <>
              <div className="band-rows" aria-label="Pending and firing bands">
                {labelSets.length === 0 && <p className="muted">Neither pending nor firing in this window.</p>}
                {labelSets.map((l) => (
                  <div key={key(l)} className="band-row">
                    <span className="band-label">{labelsText(l)}</span>
                    <Bands label={`backtest ${labelsText(l)}`} list={would.filter((a) => key(a.labels) === key(l))} from={r.from} to={r.to} />
                    {actual && <Bands label={`Prometheus ${labelsText(l)}`} list={actual.filter((a) => key(a.labels) === key(l))} from={r.from} to={r.to} />}
                  </div>
                ))}
                <p className="muted small"><span className="swatch band-pending" /> pending <span className="swatch band-firing" /> firing{actual ? '; each label set: the backtest above, Prometheus below' : ''}</p>
              </div>
              {r.disagreements && (
                <p aria-label="Backtest agreement" className={r.disagreements.length ? 'warn' : 'good'}>
                  {r.disagreements.length
                    ? r.rule.draft ? `The draft differs from what Prometheus did with the applied rule at ${r.disagreements.length} evaluations.` : `Prometheus' ALERTS differ at ${r.disagreements.length} evaluations: the rule or the data changed in this window.`
                    : r.rule.draft ? 'The draft would have done what the applied rule did, at every evaluation in the window.' : 'Prometheus\' ALERTS agree at every evaluation in the window.'}
                </p>
              )}
              <table aria-label="Backtest intervals">
                <thead><tr><th>Labels</th><th>Pending from</th><th>Firing from</th><th>Resolved at</th>{onRoute && <th><span className="sr-only">Routing</span></th>}</tr></thead>
                <tbody>
                  {would.map((a) => (
                    <tr key={`${key(a.labels)}${a.pendingFrom}`} data-firing={a.firingFrom !== undefined}>
                      <td>{labelsText(a.labels)}</td><td>{time(a.pendingFrom)}</td><td>{time(a.firingFrom)}</td><td>{a.resolvedAt === undefined ? 'still active' : time(a.resolvedAt)}</td>
                      {onRoute && <td><button type="button" className="link" onClick={() => onRoute(a.labels)}>Who gets this?</button></td>}
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
          {r.rule.kind === 'alert' && !r.rule.draft && <RecordAsTest name={r.rule.name} group={r.rule.group} from={r.from} to={r.to} />}
          {r.rule.kind === 'record' && <p className="muted">{r.recorded?.length ?? 0} series would be recorded{r.actualRecorded ? `; Prometheus recorded ${r.actualRecorded.length}` : ''}.</p>}
        </>
      )}
    </section>
  );
}
