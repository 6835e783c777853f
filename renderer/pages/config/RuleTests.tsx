// The config directory's promtool rule tests, run with the stack's own promtool against the rules
// as applied or as the draft in the editor: each file and, under it, each failed case with
// promtool's words and its file:line.
import { useState } from 'react';
import type { Replies } from '../../../main/contract';
import { useAction } from '../../client/useRequest';
import { useClient } from '../../state/app';

export function RuleTests({ draft }: { draft?: string }) {
  const client = useClient();
  const action = useAction();
  const [result, setResult] = useState<Replies['rules:tests'] | undefined>();
  const run = () => void action.run('tests', async () => setResult(await client.request('rules:tests', draft !== undefined ? { draft } : {})));
  return (
    <section className="card" aria-label="Rule tests">
      <div className="toolbar wrap">
        <h2>Rule tests</h2>
        <button type="button" disabled={!!action.busy} onClick={run}>{action.busy ? 'Running promtool…' : draft !== undefined ? 'Run the tests against this draft' : 'Run the tests'}</button>
        {result && <span className="muted">{result.files.length} {result.files.length === 1 ? 'file' : 'files'} in the config directory's tests/</span>}
      </div>
      {action.error && <p role="alert" className="bad">{action.error.message}</p>}
      {result?.results.map((f) => (
        <div key={f.file} data-file={f.file} data-ok={f.ok}>
          <p className={f.ok ? 'good' : 'bad'}>{f.ok ? '✓' : '✗'} {f.file}: {f.cases.filter((c) => c.ok).length} of {f.cases.length} cases pass against the {f.rules} rules ({(f.ms / 1000).toFixed(1)} s)</p>
          <ul>
            {f.cases.filter((c) => !c.ok).map((c) => (
              <li key={`${c.line}`} className="bad">
                <code>{f.file}:{c.line}</code> {c.group}: {c.kind === 'alert' ? c.what : <code>{c.what}</code>} at {c.evalTime}
                <pre className="muted">{c.message}</pre>
              </li>
            ))}
            {(f.problems ?? []).map((p) => <li key={p} className="bad"><pre>{p}</pre></li>)}
          </ul>
        </div>
      ))}
    </section>
  );
}
