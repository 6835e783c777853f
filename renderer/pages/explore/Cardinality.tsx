// The TSDB's cardinality, from Prometheus' /api/v1/status/tsdb: the head's series, the metrics
// with the most series, the labels with the most values and the memory their values take. Each
// metric leads to Explore. What to look at first when Prometheus grows.
import { useRequest } from '../../client/useRequest';

interface Tsdb {
  headStats: { numSeries: number; numLabelPairs: number; chunkCount: number; minTime: number; maxTime: number };
  seriesCountByMetricName: { name: string; value: number }[];
  labelValueCountByLabelName: { name: string; value: number }[];
  memoryInBytesByLabelName: { name: string; value: number }[];
  seriesCountByLabelValuePair: { name: string; value: number }[];
}

const bytes = (n: number) => (n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`);

function Top({ title, rows, unit, onPick }: { title: string; rows: { name: string; value: number }[]; unit: (v: number) => string; onPick?: (name: string) => void }) {
  const max = Math.max(1, ...rows.map((r) => r.value));
  return (
    <table aria-label={title} className="cardinality">
      <caption>{title}</caption>
      <tbody>
        {rows.map((r) => (
          <tr key={r.name} data-name={r.name}>
            <td>{onPick ? <button type="button" className="link" onClick={() => onPick(r.name)}><code>{r.name}</code></button> : <code>{r.name}</code>}</td>
            <td className="value">{unit(r.value)}</td>
            <td className="bar" aria-hidden="true"><span style={{ width: `${(100 * r.value) / max}%` }} /></td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function Cardinality({ onExplore }: { onExplore: (q: string) => void }) {
  const r = useRequest('prom:read', { path: 'status/tsdb', params: {} });
  const data = (r.data?.body as { data?: Tsdb } | undefined)?.data;
  return (
    <section className="card" aria-label="Cardinality">
      <h2>Cardinality</h2>
      {r.error && <p role="alert" className="bad">{r.error.message}</p>}
      {!data && !r.error && <p className="muted">Reading the TSDB's figures…</p>}
      {data && (
        <>
          <p aria-label="Head block">
            <strong>{data.headStats.numSeries}</strong> series in the head block ({data.headStats.numLabelPairs} label pairs, {data.headStats.chunkCount} chunks){data.headStats.minTime > 0 ? `, from ${new Date(data.headStats.minTime).toLocaleString()}` : ''}.
          </p>
          <div className="cardinality-grid">
            <Top title="Metrics by series" rows={data.seriesCountByMetricName} unit={String} onPick={onExplore} />
            <Top title="Labels by number of values" rows={data.labelValueCountByLabelName} unit={String} />
            <Top title="Memory of label values" rows={data.memoryInBytesByLabelName} unit={bytes} />
            <Top title="Label pairs by series" rows={data.seriesCountByLabelValuePair} unit={String} />
          </div>
        </>
      )}
    </section>
  );
}
