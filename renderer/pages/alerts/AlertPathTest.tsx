// "Test the alert path": a synthetic alert through Alertmanager to the app and back, each hop
// with the time it was reached; a failed hop says which and why, Alertmanager's words behind
// "details". The test's alert never reaches the notices badge or any other receiver.
import type { PathTestResult } from '../../../main/contract';
import { useAction } from '../../client/useRequest';
import { useClient } from '../../state/app';
import { useState } from 'react';

export function AlertPathTest({ disabled }: { disabled: boolean }) {
  const client = useClient();
  const action = useAction();
  const [result, setResult] = useState<PathTestResult | undefined>();
  const running = action.busy === 'path-test';
  return (
    <section className="card" aria-label="Alert path test">
      <button type="button" disabled={disabled || running} onClick={() => {
        setResult(undefined);
        void action.run('path-test', async () => setResult(await client.request('alerts:test', {})));
      }}>{running ? 'Testing the alert path…' : 'Test the alert path'}</button>
      {running && <span className="muted"> sends a test alert through Alertmanager to Obsdeck (up to a minute)</span>}
      {action.error && <p role="alert" className="bad">{action.error.message}</p>}
      {result && (
        <>
          <p role="status" className={result.ok ? 'good' : 'bad'}>
            {result.ok ? `The alert path works: ${result.alertname} went through every hop and resolved.` : `The alert path test failed at ${result.problem}`}
          </p>
          <ol className="hops" aria-label="Hops">
            {result.hops.map((h) => (
              <li key={h.hop} data-ok={String(h.ok)}>
                <span className="mark">{h.ok ? '✓' : '✗'}</span> {h.hop} <span className="muted">+{(h.afterMs / 1000).toFixed(1)} s</span> — {h.message}
              </li>
            ))}
          </ol>
          {result.details && <details><summary>details</summary><pre className="logs" tabIndex={0}>{result.details}</pre></details>}
        </>
      )}
    </section>
  );
}
