// Explore's Explain tab: the query as a tree, each node's expression and what it does; on
// demand, how many series a node returns now, and for a selector its series' label values.
import { useMemo, useState } from 'react';
import { instantQuery } from '../../client/promapi';
import { explain, type ExplainNode } from '../../lib/explain';
import { labelValuesOf, recentSeries } from '../../lib/labels';
import { useClient } from '../../state/app';

/** At most this many series are read for a selector's label values. */
const SERIES_MAX = 200;

function Node({ node, onRun }: { node: ExplainNode; onRun: (q: string) => void }) {
  const client = useClient();
  const [count, setCount] = useState<string | undefined>();
  const [labels, setLabels] = useState<[string, string[]][] | undefined>();
  const countable = node.kind !== 'number' && node.kind !== 'string';
  const countNow = () => {
    setCount('…');
    // A range is counted by its series (count() takes an instant vector).
    const q = node.kind === 'range' ? node.selector! : node.expr;
    void instantQuery(client, `count(${q})`).then(
      ({ data }) => setCount(data.resultType === 'vector' ? `${data.result[0]?.value[1] ?? 0} series now` : 'a number'),
      (e: unknown) => setCount(e instanceof Error ? e.message : String(e)),
    );
  };
  const seriesNow = () => {
    void client.request('prom:read', recentSeries(node.selector!)).then((r) => {
      setLabels(labelValuesOf(((r.body as { data?: Record<string, string>[] }).data ?? []).slice(0, SERIES_MAX)));
    }, (e: unknown) => setCount(e instanceof Error ? e.message : String(e)));
  };
  return (
    <li data-kind={node.kind}>
      <div className="explain-node">
        <button type="button" className="link" title="Run this part" onClick={() => onRun(node.expr)}><code>{node.expr}</code></button>
        <span className="sentence">{node.sentence}</span>
        {countable && <button type="button" onClick={countNow} aria-label={`Count the series of ${node.expr}`}>Count</button>}
        {node.selector && <button type="button" onClick={seriesNow} aria-label={`Label values of ${node.selector}`}>Label values</button>}
        {count && <span role="status" className="muted" aria-label={`series of ${node.expr}`}>{count}</span>}
      </div>
      {labels && (
        <dl className="label-values" aria-label={`label values of ${node.selector ?? ''}`}>
          {labels.length === 0 && <dd className="muted">No series in the last 5 minutes.</dd>}
          {labels.map(([k, vs]) => <div key={k}><dt>{k}</dt><dd>{vs.slice(0, 20).join(', ')}{vs.length > 20 ? ` … (${vs.length})` : ''}</dd></div>)}
        </dl>
      )}
      {node.children.length > 0 && <ul>{node.children.map((c, i) => <Node key={`${i}-${c.expr}`} node={c} onRun={onRun} />)}</ul>}
    </li>
  );
}

export function ExplainTree({ expr, onRun }: { expr: string; onRun: (q: string) => void }) {
  const explained = useMemo(() => explain(expr), [expr]);
  if ('error' in explained) return <p role="alert" className="bad">Cannot explain it: {explained.error}.</p>;
  return (
    <section className="card explain" aria-label="Explain">
      <p className="muted">Each part of the query, innermost last; a click on a part runs it alone.</p>
      <ul className="explain-tree"><Node node={explained.root} onRun={onRun} /></ul>
    </section>
  );
}
