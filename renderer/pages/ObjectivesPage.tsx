// The Objectives view: each objective of slos.yml with its error budget left, the burn rate on
// each window against the rate its alert waits for, the time to exhaustion at the current rate,
// and a sentence that says the arithmetic; a chart of the budget left over the last hours.
import type { SloBurn, SloStatus } from '../../main/contract';
import { useRequest } from '../client/useRequest';
import { Chart } from '../components/Chart';
import { align } from '../lib/chartdata';
import { formatDuration } from '../lib/format';
import { formatValue } from '../lib/units';
import type { PageProps } from '../lib/route';

const times = (x: number | undefined) => (x === undefined ? '–' : `${x < 10 ? x.toFixed(2) : x.toFixed(0)}×`);
/** The chart covers the objective's window, at most the last 3 hours. */
const CHART_MAX_S = 3 * 3600;

function BurnRow({ b }: { b: SloBurn }) {
  const state = b.firing ? 'firing' : b.over ? 'over' : 'ok';
  return (
    <tr data-severity={b.severity} data-state={state}>
      <td>{b.severity}</td>
      <td>{b.long} &amp; {b.short}</td>
      <td>{times(b.burnLong)}</td>
      <td>{times(b.burnShort)}</td>
      <td>{b.factor}×</td>
      <td className={state === 'ok' ? 'good' : 'bad'}>{state === 'firing' ? 'firing' : state === 'over' ? 'over (alert pending)' : 'below'}</td>
      <td className="muted">{b.spend}</td>
    </tr>
  );
}

function Objective({ o, explore }: { o: SloStatus; explore: (q: string) => void }) {
  // The budget left over the last hours, as Prometheus computes it at each step; an overspent
  // budget is drawn down to -100 % (the sentence says by how much).
  const span = Math.min(CHART_MAX_S, o.windowMs / 1000);
  const chart = useRequest('metrics:range', () => {
    const end = Math.floor(Date.now() / 1000);
    return { exprs: [`clamp_min(${o.budgetExpr}, -1)`], start: end - span, end, step: Math.max(15, Math.ceil(span / 240)) };
  }, { everyMs: 30_000, key: `${o.budgetExpr} ${span}` });
  const data = chart.data && chart.args ? align([{ result: chart.data[0]!, legend: 'budget left' }], [chart.args.start, chart.args.end]) : undefined;
  const left = o.budgetRemaining;
  return (
    <section className="card objective" aria-label={`objective ${o.name}`} data-budget={left === undefined ? '' : left.toFixed(4)}>
      <h2>{o.name} <span className="muted">{o.service}: {formatValue(o.target, 'percent')} over {o.window}</span>{' '}
        <button type="button" className="link explore" aria-label={`Explore the budget of ${o.name}`} onClick={() => explore(o.budgetExpr)}>Explore</button>
      </h2>
      {o.description && <p className="muted">{o.description}</p>}
      <div className="budget">
        <meter aria-label="Error budget left" min={0} max={1} low={0.25} high={0.5} optimum={1} value={Math.max(0, left ?? 1)} />
        <strong>{left === undefined ? 'no data' : `${formatValue(Math.max(0, left), 'percent')} of the budget left`}</strong>
        {o.burnNow !== undefined && <span> · burning {times(o.burnNow)} now</span>}
        {o.exhaustionMs !== undefined && o.burnNow !== undefined && o.burnNow > 0 && <span> · spent in {formatDuration(o.exhaustionMs / 1000)} at this rate</span>}
      </div>
      <p aria-label="Objective summary">{o.sentence}</p>
      <table aria-label={`Burn rates of ${o.name}`}>
        <thead><tr><th>Alert</th><th>Windows</th><th>Burn, long</th><th>Burn, short</th><th>Fires above</th><th>Now</th><th>What it costs</th></tr></thead>
        <tbody>{o.burns.map((b) => <BurnRow key={`${b.long}-${b.short}`} b={b} />)}</tbody>
      </table>
      <p className="muted">Burn rate: how many times faster than "spent exactly at the end of the {o.window}" the budget goes. An alert fires when both of its windows are above its rate. SLI ({o.sli.kind} / total): <code>{o.sli.events}</code> / <code>{o.sli.total}</code></p>
      {data && data.series.some((s) => s.values.some((v) => v !== null)) ? <Chart data={data} unit="percent" height={140} /> : <p className="muted">The budget chart fills once there are requests.</p>}
    </section>
  );
}

export function ObjectivesPage({ go }: PageProps) {
  const state = useRequest('slo:status', {}, { everyMs: 15_000 });
  const explore = (q: string) => go({ view: 'explore', params: { q, tab: 'graph', range: '3h' } });
  return (
    <section aria-label="Objectives" className="objectives-view">
      <p className="muted">The service level objectives of slos.yml (edit them in the Config view: Apply generates their recording rules and burn-rate alerts).</p>
      {state.error && (
        <div role="alert" className="card callout" data-code={state.error.code}>
          <p className="bad">{state.error.code === 'PROMETHEUS_UNREACHABLE' ? 'Prometheus does not answer' : 'Could not read the objectives'}</p>
          <p>{state.error.message}</p>
        </div>
      )}
      {state.data?.notes.map((n) => <p key={n} role="status" className="warn">{n}</p>)}
      {!state.data && !state.error && <p>Loading objectives…</p>}
      {state.data?.objectives.map((o) => <Objective key={o.name} o={o} explore={explore} />)}
    </section>
  );
}
