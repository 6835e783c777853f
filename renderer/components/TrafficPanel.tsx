// The traffic generator from the UI: pick a scenario, its duration and rate, start it, and watch
// its requests counted by status as they go; what each scenario makes move (and fire) is said
// next to it. Several scenarios can run at once (normal use under a brute-force attack).
import { useEffect, useState } from 'react';
import type { TrafficRun, TrafficScenario, TrafficState } from '../../main/contract';
import { useAction } from '../client/useRequest';
import { useClient } from '../state/app';

export function TrafficPanel({ canRun }: { canRun: boolean }) {
  const client = useClient();
  const action = useAction();
  const error = action.error?.message;
  const [state, setState] = useState<TrafficState | undefined>();
  const [runs, setRuns] = useState<Partial<Record<TrafficScenario, TrafficRun>>>({});
  const [scenario, setScenario] = useState<TrafficScenario>('normal');
  const [duration, setDuration] = useState(60);
  const [rate, setRate] = useState(5);

  useEffect(() => {
    client.request('traffic:status', {}).then((s) => {
      setState(s);
      setRuns(Object.fromEntries(s.runs.map((r) => [r.scenario, r])));
    }, () => undefined);
    return client.on('traffic:run', (r) => setRuns((all) => ({ ...all, [r.scenario]: r })));
  }, [client]);

  const act = (work: () => Promise<TrafficState>) => {
    void action.run('traffic', work).then((s) => s && setRuns(Object.fromEntries(s.runs.map((r) => [r.scenario, r]))));
  };
  const description = state?.scenarios.find((s) => s.name === scenario)?.description;
  const shown = Object.values(runs).filter((r): r is TrafficRun => r !== undefined);

  return (
    <section className="card traffic" aria-label="Traffic generator">
      <h2>Traffic generator</h2>
      <div className="toolbar wrap">
        <label>Scenario{' '}
          <select aria-label="Scenario" value={scenario} onChange={(e) => setScenario(e.target.value as TrafficScenario)}>
            {state?.scenarios.map((s) => <option key={s.name} value={s.name}>{s.name}</option>)}
          </select>
        </label>
        <label>for <input aria-label="Duration in seconds" type="number" min={1} max={state?.limits.maxDurationS ?? 600} value={duration} onChange={(e) => setDuration(Number(e.target.value))} /> s</label>
        <label>at <input aria-label="Requests per second" type="number" min={0.2} max={state?.limits.maxRate ?? 50} step={0.5} value={rate} onChange={(e) => setRate(Number(e.target.value))} /> /s</label>
        <button type="button" className="primary" disabled={!canRun || runs[scenario]?.running} onClick={() => act(() => client.request('traffic:start', { scenario, durationS: duration, rate }))}>Run {scenario}</button>
      </div>
      {description && <p className="muted">{description}</p>}
      {!canRun && <p className="muted">Start the stack to send traffic to its API.</p>}
      {error && <p role="alert" className="bad">{error}</p>}
      {shown.length > 0 && (
        <table className="result" aria-label="Traffic runs">
          <thead><tr><th>Scenario</th><th>State</th><th>Requests</th><th>By status</th><th /></tr></thead>
          <tbody>
            {shown.map((r) => (
              <tr key={r.scenario} aria-label={`traffic ${r.scenario}`} data-running={String(r.running)}>
                <td>{r.scenario}</td>
                <td className={r.error ? 'bad' : ''}>{r.error ?? (r.running ? `running ${Math.round(r.elapsedS)} / ${r.durationS} s` : `done in ${r.elapsedS.toFixed(1)} s`)}</td>
                <td>{r.sent}</td>
                <td>{Object.entries(r.byStatus).sort().map(([k, v]) => `${k}: ${v}`).join(', ')}</td>
                <td>{r.running && <button type="button" onClick={() => act(() => client.request('traffic:stop', { scenario: r.scenario }))}>Stop</button>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
