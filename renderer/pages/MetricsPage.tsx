// The Metrics view: the seed's SLIs and its security and encryption panels as live charts, over
// a chosen time range, refreshed on a chosen interval (both kept in the URL). Every panel is the
// one Chart component; a panel whose query fails says so in place.
import { useRequest } from '../client/useRequest';
import { Chart } from '../components/Chart';
import { align } from '../lib/chartdata';
import { PANELS, VITALS_PANELS } from '../lib/panels';
import { customWindow, localInput, RANGES } from '../lib/timerange';
import { formatValue } from '../lib/units';
import type { PageProps } from '../lib/route';
import { VitalsPanels } from './metrics/Vitals';

const REFRESH: Record<string, number> = { '5s': 5000, '10s': 10000, '30s': 30000, off: 0 };

const EXPRS = PANELS.flatMap((p) => p.queries.map((q) => q.expr));
/** Past the app's own 15 minutes of vitals, they come from Prometheus with the panels. */
const WITH_VITALS = [...PANELS, ...VITALS_PANELS].flatMap((p) => p.queries.map((q) => q.expr));
const LIVE_VITALS_S = 900;

export function MetricsPage({ params, setParams, go }: PageProps) {
  const custom = params.range === 'custom';
  const range = custom || RANGES[params.range ?? ''] ? params.range! : '15m';
  const fixed = custom ? customWindow(params.from, params.to) : undefined;
  const refresh = params.refresh && params.refresh in REFRESH ? params.refresh : '10s';
  const explore = (q: string, r: string) => go({ view: 'explore', params: { q, tab: 'graph', range: r } });
  // The window ends now at each refresh; a custom range is a fixed past, with nothing to refresh.
  const query = useRequest('metrics:range', () => {
    if (custom && !fixed?.window) return undefined;
    const end = fixed?.window ? fixed.window[1] : Math.floor(Date.now() / 1000);
    const seconds = fixed?.window ? fixed.window[1] - fixed.window[0] : RANGES[range]!;
    return { exprs: seconds > LIVE_VITALS_S ? WITH_VITALS : EXPRS, start: end - seconds, end, step: Math.max(5, Math.ceil(seconds / 300)) };
  }, { everyMs: custom ? 0 : REFRESH[refresh]!, key: `${range} ${refresh} ${fixed?.window?.join('-') ?? ''}` });
  const error = query.error;
  const results = query.data && query.args ? { data: query.data, window: [query.args.start, query.args.end] as [number, number] } : undefined;

  let i = 0;
  const byPanel = PANELS.map((p) => p.queries.map((q) => ({ result: results?.data[i++] ?? { expr: q.expr, series: [] }, legend: q.legend })));
  const vitalsHistory = results && results.data.length > i
    ? { window: results.window, panels: VITALS_PANELS.map((p) => ({ panel: p, results: p.queries.map((q) => ({ result: results.data[i++] ?? { expr: q.expr, series: [] }, legend: q.legend })) })) }
    : undefined;

  return (
    <section aria-label="Metrics" className="metrics-view">
      <div className="toolbar">
        <label>Range{' '}
          <select aria-label="Time range" value={range} onChange={(e) => {
            const next = e.target.value;
            // Custom starts from the range shown now, to be adjusted.
            const seconds = RANGES[range] ?? 3600;
            setParams(next === 'custom' ? { ...params, range: next, from: params.from ?? localInput(Date.now() - seconds * 1000), to: params.to ?? localInput(Date.now()) } : { ...params, range: next, from: '', to: '' });
          }}>
            {Object.keys(RANGES).map((r) => <option key={r} value={r}>last {r}</option>)}
            <option value="custom">custom…</option>
          </select>
        </label>
        {custom && (
          <>
            <label>from <input type="datetime-local" aria-label="Range start" value={params.from ?? ''} onChange={(e) => setParams({ ...params, from: e.target.value })} /></label>
            <label>to <input type="datetime-local" aria-label="Range end" value={params.to ?? ''} onChange={(e) => setParams({ ...params, to: e.target.value })} /></label>
            {fixed?.error && <span role="alert" className="bad">{fixed.error}</span>}
          </>
        )}
        <label>Refresh{' '}
          <select aria-label="Refresh interval" disabled={custom} value={refresh} onChange={(e) => setParams({ ...params, refresh: e.target.value })}>
            {Object.keys(REFRESH).map((r) => <option key={r} value={r}>{r === 'off' ? 'off' : `every ${r}`}</option>)}
          </select>
        </label>
        <span className="muted">Click a legend entry to hide or show its series; drag across a chart to zoom.</span>
      </div>
      {error && (
        <div role="alert" className="card callout" data-code={error.code}>
          <p className="bad">{error.code === 'PROMETHEUS_UNREACHABLE' ? 'Prometheus does not answer' : 'Could not load the metrics'}</p>
          <p>{error.message}</p>
          {error.code === 'PROMETHEUS_UNREACHABLE' && <p>Start the stack in the Stack view; the charts fill once Prometheus is ready.</p>}
        </div>
      )}
      {!results && !error && <p>Loading metrics…</p>}
      {results && (
        <div className="panels">
          {PANELS.map((p, n) => {
            const data = align(byPanel[n]!, results.window);
            const failed = byPanel[n]!.find((x) => x.result.error)?.result.error;
            const last = data.series.map((s) => s.values.filter((v) => v !== null).at(-1));
            const hasValues = data.series.some((s) => s.values.some((v) => v !== null));
            return (
              <section key={p.title} className="card panel" aria-label={`panel ${p.title}`}>
                <h2>{p.title} <span className="now">{data.series.length === 1 ? formatValue(last[0], p.unit) : ''}</span>
                  <button type="button" className="link explore" aria-label={`Explore ${p.title}`} onClick={() => explore(p.queries[0]!.expr, range)}>Explore</button>
                </h2>
                {failed && <p role="alert" className="bad">{failed}</p>}
                {!failed && !hasValues && <p className="muted empty-chart">No data in this range yet{p.unit === 'percent' || p.unit === 'seconds' ? ' (a ratio or percentile needs requests in its window)' : ''}.</p>}
                {hasValues && <Chart data={data} unit={p.unit} />}
              </section>
            );
          })}
        </div>
      )}
      <VitalsPanels history={vitalsHistory} />
    </section>
  );
}
