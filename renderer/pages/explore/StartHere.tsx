// What Explore shows before a query: the seed's queries grouped as the seed groups them (a
// click runs one) and a metrics browser: every metric with its type, HELP and labels, as
// Prometheus' metrics explorer shows them (a click puts it in the editor).
import { useMemo, useState } from 'react';
import { useRequest } from '../../client/useRequest';
import { labelValuesOf, recentSeries } from '../../lib/labels';
import { SEED_QUERIES } from '../../lib/seed-queries';
import { Cardinality } from './Cardinality';

type Metadata = Record<string, { type: string; help: string; unit: string }[]>;

function MetricsBrowser({ onInsert }: { onInsert: (m: string) => void }) {
  const [filter, setFilter] = useState('');
  const [open, setOpen] = useState<string | undefined>();
  const meta = useRequest('prom:read', { path: 'metadata', params: {} });
  const labels = useRequest('prom:read', () => (open ? recentSeries(open) : undefined), { key: open ?? '' });
  const metrics = useMemo(() => {
    const data = (meta.data?.body as { data?: Metadata } | undefined)?.data ?? {};
    return Object.entries(data).map(([name, m]) => ({ name, type: m[0]?.type ?? 'unknown', help: m[0]?.help ?? '' }))
      .filter((m) => !filter || m.name.includes(filter) || m.help.toLowerCase().includes(filter.toLowerCase()))
      .sort((a, b) => a.name.localeCompare(b.name));
  }, [meta.data, filter]);
  const labelNames = useMemo(() => labelValuesOf((labels.data?.body as { data?: Record<string, string>[] } | undefined)?.data ?? []), [labels.data]);
  return (
    <section className="card" aria-label="Metrics browser">
      <h2>Metrics</h2>
      <input type="search" aria-label="Filter metrics" placeholder="Filter by name or help" value={filter} onChange={(e) => setFilter(e.target.value)} />
      {meta.error && <p role="alert" className="bad">{meta.error.message}</p>}
      {!meta.data && !meta.error && <p className="muted">Loading the metrics Prometheus knows…</p>}
      <table aria-label="Metrics">
        <thead><tr><th>Metric</th><th>Type</th><th>Help</th></tr></thead>
        <tbody>
          {metrics.map((m) => (
            <tr key={m.name} data-metric={m.name}>
              <td><button type="button" className="link" onClick={() => onInsert(m.name)}><code>{m.name}</code></button>{' '}
                <button type="button" aria-expanded={open === m.name} aria-label={`Labels of ${m.name}`} onClick={() => setOpen(open === m.name ? undefined : m.name)}>labels</button>
                {open === m.name && (
                  <ul aria-label={`labels of ${m.name}`} className="muted">
                    {labelNames.map(([k, vs]) => <li key={k}><code>{k}</code>: {vs.slice(0, 12).join(', ')}{vs.length > 12 ? ` … (${vs.length})` : ''}</li>)}
                  </ul>
                )}
              </td>
              <td>{m.type}</td>
              <td className="muted">{m.help}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function StartHere({ onRun, onInsert }: { onRun: (q: string) => void; onInsert: (m: string) => void }) {
  return (
    <div className="start-here">
      <section className="card" aria-label="The seed's queries">
        <h2>Queries to start with</h2>
        <p className="muted">The POC3 guide's queries, by its sections (corrected where its PromQL does not parse). A click runs one; Explain says what each part does.</p>
        {SEED_QUERIES.map((g) => (
          <div key={g.title} role="group" aria-label={g.title}>
            <h3>{g.title}</h3>
            <ul>{g.queries.map((q) => <li key={q.expr}><button type="button" className="link" onClick={() => onRun(q.expr)}>{q.title}</button> <code className="muted">{q.expr}</code></li>)}</ul>
          </div>
        ))}
      </section>
      <MetricsBrowser onInsert={onInsert} />
      <Cardinality onExplore={(m) => onRun(m)} />
    </div>
  );
}
