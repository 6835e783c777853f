// The Config view's panels below the toolbar: the outcome of the last action, Apply's steps as
// they go, the problems (each a link to its line), the diff against what runs, and the applied
// versions with Restore.
import type { ConfigProblem, ConfigState, ConfigStep } from '../../../main/contract';

export type Outcome = { kind: 'ok' | 'bad' | 'info'; text: string; details?: string[] };

export function OutcomeCard({ outcome }: { outcome: Outcome }) {
  return (
    <div role={outcome.kind === 'bad' ? 'alert' : 'status'} className={`card ${outcome.kind === 'bad' ? 'callout' : ''}`}>
      <p className={outcome.kind === 'bad' ? 'bad' : 'good'}>{outcome.text}</p>
      {outcome.details && outcome.details.length > 0 && <pre className="logs">{outcome.details.join('\n')}</pre>}
    </div>
  );
}

export function ApplySteps({ steps }: { steps: ConfigStep[] }) {
  return (
    <ol className="card steps" aria-label="Apply steps">
      {steps.map((s, i) => <li key={i} className={s.step === 'rollback' ? 'failed' : 'done'}>{s.message}</li>)}
    </ol>
  );
}

export function Problems({ problems, onJump }: { problems: ConfigProblem[]; onJump: (p: ConfigProblem) => void }) {
  return (
    <ul className="card problems" aria-label="Problems">
      {problems.map((p, i) => (
        <li key={i} className={p.severity}>
          <button type="button" className="link" onClick={() => onJump(p)}>{p.file}{p.line ? `:${p.line}:${p.column ?? 1}` : ''}</button>{' '}
          <span className={p.severity === 'error' ? 'bad' : 'warn'}>{p.severity}</span>: {p.message}
        </li>
      ))}
    </ul>
  );
}

export function Diff({ file, diff, onClose }: { file: string; diff: string[]; onClose: () => void }) {
  return (
    <section className="card" aria-label="Diff">
      <h2>{file}: running → this text <button type="button" onClick={onClose}>Close</button></h2>
      {diff.length === 0 ? <p className="muted">No difference: this is what runs.</p> : (
        <pre className="diff">{diff.map((l, i) => <span key={i} className={l.startsWith('+') ? 'add' : 'del'}>{l}{'\n'}</span>)}</pre>
      )}
    </section>
  );
}

export function History({ history, onRestore }: { history: ConfigState['history']; onRestore: (id: string) => void }) {
  return (
    <section className="card" aria-label="History">
      <h2>Applied versions</h2>
      <ul>
        {history.slice(0, 20).map((h) => (
          <li key={h.id}>
            <code>{h.id}</code> {new Date(h.at).toLocaleString()} — {h.note}{' '}
            {h.runningIn && <span className="badge good" aria-label={`running in ${h.runningIn.join(' and ')}`}>running in {h.runningIn.join(', ')}</span>}{' '}
            <button type="button" onClick={() => onRestore(h.id)}>Restore</button>
          </li>
        ))}
      </ul>
    </section>
  );
}

/**
 * Files this Obsdeck ships that the config directory lacks (it was made by an earlier version):
 * each is reviewed in the editor and applied like any change, or not offered again.
 */
export function OfferedFiles({ offered, current, onReview, onDismiss }: { offered: string[]; current: string | undefined; onReview: (name: string) => void; onDismiss: (name: string) => void }) {
  return (
    <section aria-label="New shipped files" className="card">
      <p>This version of Obsdeck ships {offered.length === 1 ? 'a file' : 'files'} your config directory does not have. Nothing is added until you apply it.</p>
      <ul>
        {offered.map((name) => (
          <li key={name} data-file={name}>
            <code>{name}</code>{' '}
            {current === name ? <span className="muted">shown in the editor: Apply adds it</span> : <button type="button" onClick={() => onReview(name)}>Review</button>}{' '}
            <button type="button" onClick={() => onDismiss(name)}>Not now</button>
          </li>
        ))}
      </ul>
    </section>
  );
}
