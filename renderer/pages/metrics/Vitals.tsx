// The Metrics view's Vitals: each running service's CPU and memory. Over the last 15 minutes as
// the app samples them from the Engine API (the cards' sparklines, drawn in full); over a longer
// range as Prometheus keeps them (its obsdeck-vitals job scrapes the app), so the history
// outlives the app.
import type { RangeResult, VitalsPoint } from '../../../main/contract';
import { Chart } from '../../components/Chart';
import { align, type ChartData } from '../../lib/chartdata';
import type { Panel } from '../../lib/panels';
import { useVitals } from '../../state/app';

/** The vitals' panels as Prometheus answered them for the Metrics view's range. */
export interface VitalsHistory { window: [number, number]; panels: { panel: Panel; results: { result: RangeResult; legend?: string }[] }[] }

/** The services' points on one time axis (each service's sample times differ by milliseconds: rounded to the second). */
export function vitalsChart(services: Record<string, VitalsPoint[]>, pick: (p: VitalsPoint) => number | undefined): ChartData {
  const times = [...new Set(Object.values(services).flatMap((ps) => ps.map((p) => Math.round(p.at / 1000))))].sort((a, b) => a - b);
  const index = new Map(times.map((t, i) => [t, i]));
  return {
    times,
    series: Object.entries(services).sort(([a], [b]) => a.localeCompare(b)).map(([service, ps]) => {
      const values = new Array<number | null>(times.length).fill(null);
      for (const p of ps) values[index.get(Math.round(p.at / 1000))!] = pick(p) ?? null;
      return { label: service, values };
    }),
  };
}

export function VitalsPanels({ history }: { history?: VitalsHistory | undefined }) {
  if (history) return <VitalsFromPrometheus history={history} />;
  return <LiveVitals />;
}

function VitalsFromPrometheus({ history }: { history: VitalsHistory }) {
  const charts = history.panels.map(({ panel, results }) => ({ panel, data: align(results, history.window), failed: results.find((r) => r.result.error)?.result.error }));
  const any = charts.some((c) => c.data.series.some((s) => s.values.some((v) => v !== null)));
  return (
    <section className="card" aria-label="Vitals">
      <h2>Vitals <span className="muted">each service's CPU (100% is one core) and memory, from Prometheus (job obsdeck-vitals)</span></h2>
      {!any && !charts.some((c) => c.failed) && (
        <p className="muted">Prometheus holds no vitals in this range. It scrapes them from this app while the app runs (job obsdeck-vitals, in the shipped prometheus.yml); a prometheus.yml from before Obsdeck served them lacks the job, and a remote engine's Prometheus cannot reach the app. The last 15 minutes show the app's own samples.</p>
      )}
      {(any || charts.some((c) => c.failed)) && (
        <div className="panels">
          {charts.map(({ panel, data, failed }) => (
            <section key={panel.title} className="panel" aria-label={`Vitals ${panel.title === 'CPU' ? 'CPU' : 'memory'}`}>
              <h3>{panel.title}</h3>
              {failed ? <p role="alert" className="bad">{failed}</p> : <Chart data={data} unit={panel.unit} />}
            </section>
          ))}
        </div>
      )}
    </section>
  );
}

function LiveVitals() {
  const { services, intervalMs } = useVitals();
  const any = Object.values(services).some((ps) => ps.length > 1);
  return (
    <section className="card" aria-label="Vitals">
      <h2>Vitals <span className="muted">each service's CPU (100% is one core) and memory, last 15 minutes{intervalMs ? `, every ${intervalMs / 1000}s` : ''}</span></h2>
      {!intervalMs && <p className="muted">Vitals are off (OBSDECK_VITALS_MS=0).</p>}
      {intervalMs > 0 && !any && <p className="muted">The charts fill once the stack runs.</p>}
      {any && (
        <div className="panels">
          <section className="panel" aria-label="Vitals CPU"><h3>CPU</h3><Chart data={vitalsChart(services, (p) => (p.cpuPercent === undefined ? undefined : p.cpuPercent / 100))} unit="percent" /></section>
          <section className="panel" aria-label="Vitals memory"><h3>Memory</h3><Chart data={vitalsChart(services, (p) => p.memoryBytes)} unit="bytes" /></section>
        </div>
      )}
    </section>
  );
}
