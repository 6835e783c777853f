// The Config view: the stack's config files in an editor; Validate shows every problem at its
// line and column (in-process checks, then promtool/amtool of the stack's own images); Apply
// hot-reloads, confirms and rolls back on failure, and says which happened, with its steps as
// they go; a refused Apply marks its problems as Validate does; a diff against what the running
// service holds; the history of applied versions, with Restore (applied through the same path).
import { useEffect, useMemo, useRef, useState } from 'react';
import { yaml } from '@codemirror/lang-yaml';
import type { ConfigFileName, ConfigProblem, ConfigState, ConfigStep } from '../../main/contract';
import { asClientError } from '../client/client';
import { CodeEditor, type CodeEditorHandle } from '../components/CodeEditor';
import type { PageProps } from '../pages';
import { useClient } from '../state/app';

const YAML = yaml();

type Outcome = { kind: 'ok' | 'bad' | 'info'; text: string; details?: string[] };

export function ConfigPage({ params, setParams }: PageProps) {
  const client = useClient();
  const [steps, setSteps] = useState<ConfigStep[]>([]);
  const [state, setState] = useState<ConfigState | undefined>();
  const [drafts, setDrafts] = useState<Partial<Record<ConfigFileName, string>>>({});
  const [problems, setProblems] = useState<ConfigProblem[] | undefined>();
  const [outcome, setOutcome] = useState<Outcome | undefined>();
  const [diff, setDiff] = useState<string[] | undefined>();
  const [busy, setBusy] = useState<string | undefined>();
  const editor = useRef<CodeEditorHandle>(null);
  // The files are the Node side's list (config:get); the URL names one of them.
  const file = state?.files.find((f) => f.name === params.file)?.name ?? ('prometheus.yml' satisfies ConfigFileName);

  const load = () => client.request('config:get', {}).then((s) => {
    setState(s);
    setDrafts({});
  }, (e: unknown) => setOutcome({ kind: 'bad', text: e instanceof Error ? e.message : String(e) }));
  useEffect(() => {
    void load();
  }, [client]); // once per client
  // Apply's and Restore's steps, as the Node side takes them.
  useEffect(() => client.on('config:progress', (s) => setSteps((list) => [...list, s].slice(-20))), [client]);

  const marks = useMemo(() => (problems ?? []).filter((p): p is ConfigProblem & { line: number } => p.file === file && p.line !== undefined), [problems, file]);
  const saved = state?.files.find((f) => f.name === file);
  const text = drafts[file] ?? saved?.text ?? '';
  const dirty = drafts[file] !== undefined && drafts[file] !== saved?.text;

  const run = async (what: string, work: () => Promise<void>) => {
    setBusy(what);
    setOutcome(undefined);
    setSteps([]);
    try {
      await work();
    } catch (e) {
      const err = asClientError(e);
      if (err.code === 'CONFIG_INVALID') {
        // The same problems Validate lists, marked in the text.
        setProblems(err.problems);
        setOutcome({ kind: 'bad', text: 'Not applied: the configuration is invalid. The running one is unchanged.' });
      } else {
        setOutcome({ kind: 'bad', text: err.message, details: err.details });
      }
    } finally {
      setBusy(undefined);
    }
  };

  const jump = (p: ConfigProblem) => {
    if (p.file !== file) setParams({ ...params, file: p.file });
    const line = p.line;
    if (!line) return;
    // After a file switch the editor shows the other file on the next render.
    setTimeout(() => editor.current?.goTo(line, p.column ?? 1), 0);
  };

  return (
    <section aria-label="Config" className="config-view">
      <div className="toolbar wrap">
        <nav aria-label="Config files" className="tabs">
          {state?.files.map((f) => (
            <button key={f.name} type="button" aria-pressed={f.name === file} onClick={() => setParams({ ...params, file: f.name })}>
              {f.name}{drafts[f.name] !== undefined && drafts[f.name] !== f.text ? ' •' : ''}
            </button>
          ))}
        </nav>
        <button type="button" data-action="validate" title="Ctrl+Enter" disabled={!!busy} onClick={() => void run('validate', async () => {
          const found = await client.request('config:validate', { file, text });
          setProblems(found);
          setOutcome(found.some((p) => p.severity === 'error') ? undefined : { kind: 'ok', text: `${file} is valid${found.length ? ' (with notes below)' : ''}` });
        })}>{busy === 'validate' ? 'Validating…' : 'Validate'}</button>
        <button type="button" className="primary" disabled={!!busy} onClick={() => void run('apply', async () => {
          const r = await client.request('config:apply', { file, text });
          setProblems([]);
          setOutcome({ kind: 'ok', text: `Applied: ${r.note}${r.id ? ` (history ${r.id})` : ''}` });
          await load();
        })}>{busy === 'apply' ? 'Applying…' : 'Apply'}</button>
        <button type="button" disabled={!!busy} onClick={() => void run('diff', async () => setDiff(await client.request('config:diff', { file, text })))}>Diff with running</button>
        {dirty && <button type="button" onClick={() => setDrafts({ ...drafts, [file]: undefined })}>Discard edits</button>}
        <span className="muted">{state ? saved?.path ?? `${state.configDir}/${file}` : 'Loading…'}</span>
      </div>

      {saved?.readOnly && <p role="status" className="warn">{saved.readOnly}</p>}
      {file === 'docker-compose.yml' && !saved?.readOnly && <p className="muted">Apply saves your copy and brings the running services up to date: a service whose definition changed is recreated (its data volumes are kept).</p>}
      {outcome && (
        <div role={outcome.kind === 'bad' ? 'alert' : 'status'} className={`card ${outcome.kind === 'bad' ? 'callout' : ''}`}>
          <p className={outcome.kind === 'bad' ? 'bad' : 'good'}>{outcome.text}</p>
          {outcome.details && outcome.details.length > 0 && <pre className="logs">{outcome.details.join('\n')}</pre>}
        </div>
      )}
      {busy && steps.length > 0 && (
        <ol className="card steps" aria-label="Apply steps">
          {steps.map((s, i) => <li key={i} className={s.step === 'rollback' ? 'failed' : 'done'}>{s.message}</li>)}
        </ol>
      )}
      {problems && problems.length > 0 && (
        <ul className="card problems" aria-label="Problems">
          {problems.map((p, i) => (
            <li key={i} className={p.severity}>
              <button type="button" className="link" onClick={() => jump(p)}>{p.file}{p.line ? `:${p.line}:${p.column ?? 1}` : ''}</button>{' '}
              <span className={p.severity === 'error' ? 'bad' : 'warn'}>{p.severity}</span>: {p.message}
            </li>
          ))}
        </ul>
      )}

      <CodeEditor ref={editor} value={text} onChange={(t) => setDrafts((d) => ({ ...d, [file]: t }))} language={YAML} label={`Edit ${file}`} problems={marks} onSubmit={() => document.querySelector<HTMLButtonElement>('[data-action=validate]')?.click()} />

      {diff && (
        <section className="card" aria-label="Diff">
          <h2>{file}: running → this text <button type="button" onClick={() => setDiff(undefined)}>Close</button></h2>
          {diff.length === 0 ? <p className="muted">No difference: this is what runs.</p> : (
            <pre className="diff">{diff.map((l, i) => <span key={i} className={l.startsWith('+') ? 'add' : 'del'}>{l}{'\n'}</span>)}</pre>
          )}
        </section>
      )}

      {state && state.history.length > 0 && (
        <section className="card" aria-label="History">
          <h2>Applied versions</h2>
          <ul>
            {state.history.slice(0, 20).map((h) => (
              <li key={h.id}>
                <code>{h.id}</code> {new Date(h.at).toLocaleString()} — {h.note}{' '}
                {h.runningIn && <span className="badge good" aria-label={`running in ${h.runningIn.join(' and ')}`}>running in {h.runningIn.join(', ')}</span>}{' '}
                <button type="button" onClick={() => void run('restore', async () => {
                  const next = await client.request('config:restore', { id: h.id });
                  setState(next);
                  setDrafts({});
                  setOutcome({ kind: 'ok', text: `Restored ${h.id}: ${next.history[0]?.note ?? 'applied'}` });
                })}>Restore</button>
              </li>
            ))}
          </ul>
        </section>
      )}
    </section>
  );
}
