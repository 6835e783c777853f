// The PromQL explorer: the Prometheus team's editor (highlighting, completion from the live
// Prometheus, lint), an instant table and a range graph, and the queries run before. The query,
// tab and range live in the URL, so any chart can open here and a reload keeps the query.
import { useEffect, useMemo, useState } from 'react';
import { PromQLExtension } from '@prometheus-io/codemirror-promql';
import type { RangeResult } from '../../main/contract';
import { align, seriesLabel } from '../lib/chartdata';
import { Chart } from '../components/Chart';
import type { PageProps } from '../lib/route';
import { useClient, useSnapshot } from '../state/app';
import { CodeEditor } from '../components/CodeEditor';
import { RANGES } from '../lib/timerange';
import { grafanaExploreUrl } from '../lib/grafana';
import { promFetch, type InstantResult } from '../client/promapi';
import { HISTORY_KEY, loadHistory, remember } from '../lib/queryhistory';
import { QueryHistory } from './explore/QueryHistory';
import { useQuery, type Outcome } from './explore/useQuery';
import { ExplainTree } from './explore/ExplainTree';
import { StartHere } from './explore/StartHere';

/** More rows than this are counted, not drawn. */
const TABLE_MAX = 500;
/** uPlot draws this many series well; beyond it the graph says how many it left out. */
const GRAPH_MAX = 50;

export function ExplorePage({ params, setParams }: PageProps) {
  const client = useClient();
  // Grafana's address when it runs in the stack: queries can open in its Explore too.
  const grafanaBase = useSnapshot().snap?.services.find((s) => s.service === 'grafana')?.url;
  const expr = params.q ?? '';
  const tab = params.tab === 'graph' ? 'graph' : params.tab === 'explain' ? 'explain' : 'table';
  const range = RANGES[params.range ?? ''] ? params.range! : '1h';
  const [draft, setDraft] = useState(expr);
  const [history, setHistory] = useState(loadHistory);
  const [runs, setRuns] = useState(0);
  // Explain shows the tree, with the instant query's count beside it.
  const { outcome, running } = useQuery(expr, tab === 'graph' ? 'graph' : 'table', range, runs);

  // The URL's query wins when it changes from outside (a chart opened here, back button).
  useEffect(() => setDraft(expr), [expr]);

  const promql = useMemo(() => new PromQLExtension()
    .setComplete({ remote: { url: '', fetchFn: promFetch(client), httpMethod: 'POST', cache: { maxAge: 60_000 } } })
    .asExtension(), [client]);

  const run = () => {
    const q = draft.trim();
    if (!q) return;
    const next = remember(history, q);
    setHistory(next);
    localStorage.setItem(HISTORY_KEY, JSON.stringify(next));
    if (q === expr) setRuns((n) => n + 1);
    else setParams({ ...params, q });
  };

  return (
    <section aria-label="Explorer" className="explorer-view">
      <div className="query-row">
        <CodeEditor value={draft} onChange={setDraft} language={promql} label="PromQL query" singleLine onSubmit={run} placeholder="Expression (Enter runs it; Ctrl+Space completes)" />
        <button type="button" className="primary" onClick={run} disabled={running && draft.trim() === expr}>{running ? 'Running…' : 'Run'}</button>
      </div>
      <div className="toolbar">
        <nav aria-label="Result" className="tabs">
          {(['table', 'graph', 'explain'] as const).map((t) => (
            <button key={t} type="button" aria-pressed={tab === t} onClick={() => setParams({ ...params, tab: t })}>{t === 'table' ? 'Table' : t === 'graph' ? 'Graph' : 'Explain'}</button>
          ))}
        </nav>
        {tab === 'graph' && (
          <label>Range{' '}
            <select aria-label="Time range" value={range} onChange={(e) => setParams({ ...params, range: e.target.value })}>
              {Object.keys(RANGES).map((r) => <option key={r} value={r}>last {r}</option>)}
            </select>
          </label>
        )}
        {grafanaBase && expr && <a href={`?view=grafana&path=${encodeURIComponent(grafanaExploreUrl(expr, range))}`}>Open in Grafana Explore</a>}
        {outcome && outcome.kind !== 'error' && <span className="muted" role="status">{summary(outcome)}</span>}
      </div>

      {outcome?.kind === 'error' && (
        <div role="alert" className="card callout">
          <p className="bad">{outcome.code === 'PROMETHEUS_UNREACHABLE' ? 'Prometheus does not answer' : 'The query failed'}</p>
          <pre className="logs">{outcome.message}</pre>
          {outcome.code === 'PROMETHEUS_UNREACHABLE' && <p>Start the stack in the Stack view.</p>}
        </div>
      )}
      {tab === 'explain' && expr && <ExplainTree expr={expr} onRun={(q) => setParams({ ...params, q, tab: 'table' })} />}
      {!expr && <StartHere onRun={(q) => setParams({ ...params, q })} onInsert={(m) => setDraft((d) => (d.trim() ? `${d} ${m}` : m))} />}
      {outcome?.kind === 'table' && tab === 'table' && <ResultTable data={outcome.data} />}
      {outcome?.kind === 'graph' && <ResultGraph result={outcome.result} window={outcome.window} />}
      {outcome?.kind === 'table' && tab === 'table' && outcome.warnings.length > 0 && (
        <ul className="card">{outcome.warnings.map((w) => <li key={w} className="warn">{w}</li>)}</ul>
      )}

      {history.length > 0 && <QueryHistory history={history} setHistory={setHistory} onPick={(h) => {
        setDraft(h);
        setParams({ ...params, q: h });
      }} />}
    </section>
  );
}

function summary(o: Exclude<Outcome, { kind: 'error' }>): string {
  const took = `${Math.round(o.ms)} ms`;
  if (o.kind === 'graph') return `${o.result.series.length} series · ${took}`;
  const d = o.data;
  return d.resultType === 'scalar' || d.resultType === 'string' ? `${d.resultType} · ${took}` : `${d.result.length} ${d.resultType === 'vector' ? 'series' : 'range series'} · ${took}`;
}

function ResultTable({ data }: { data: InstantResult }) {
  if (data.resultType === 'scalar' || data.resultType === 'string') {
    return <table className="result" aria-label="Query result"><tbody><tr><td>{data.resultType}</td><td className="value">{data.result[1]}</td></tr></tbody></table>;
  }
  if (data.result.length === 0) return <p className="muted" role="status">Empty result: no series match at this time.</p>;
  const rows: { metric: Record<string, string>; value?: [number, string]; values?: [number, string][] }[] = data.result.slice(0, TABLE_MAX);
  return (
    <>
      <table className="result" aria-label="Query result">
        <thead><tr><th>Series</th><th>Value</th></tr></thead>
        <tbody>
          {rows.map((r) => {
            const label = seriesLabel(r.metric);
            const value = r.value ? r.value[1] : (r.values ?? []).map(([t, v]) => `${v} @${t}`).join('\n');
            return <tr key={label}><td><code>{label}</code></td><td className="value">{value}</td></tr>;
          })}
        </tbody>
      </table>
      {data.result.length > TABLE_MAX && <p className="muted">Showing {TABLE_MAX} of {data.result.length} series; narrow the query to see the rest.</p>}
    </>
  );
}

function ResultGraph({ result, window }: { result: RangeResult; window: [number, number] }) {
  if (result.series.length === 0) return <p className="muted" role="status">No data in this range.</p>;
  const shown = { ...result, series: result.series.slice(0, GRAPH_MAX) };
  return (
    <section className="card panel" aria-label="Query graph">
      <Chart data={align([{ result: shown }], window)} unit="short" height={320} />
      {result.series.length > GRAPH_MAX && <p className="muted">Drawing {GRAPH_MAX} of {result.series.length} series; aggregate (sum by …) to see them all.</p>}
    </section>
  );
}
