// The Metrics view's Vitals: each running service's CPU and memory over the last 15 minutes, as
// the app samples them from the Engine API (the cards' sparklines, drawn in full).
import type { VitalsPoint } from '../../../main/contract';
import { Chart } from '../../components/Chart';
import type { ChartData } from '../../lib/chartdata';
import { useVitals } from '../../state/app';

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

export function VitalsPanels() {
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
