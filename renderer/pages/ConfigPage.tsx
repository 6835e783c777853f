// The Config view: the stack's config files in an editor; Validate shows every problem at its
// line and column (in-process checks, then promtool/amtool of the stack's own images); Apply
// hot-reloads, confirms and rolls back on failure, and says which happened, with its steps as
// they go; a refused Apply marks its problems as Validate does; a diff against what the running
// service holds; the history of applied versions, with Restore (applied through the same path).
import { useEffect, useMemo, useRef, useState } from 'react';
import { yaml } from '@codemirror/lang-yaml';
import type { ConfigFileName, ConfigProblem, ConfigState, ConfigStep } from '../../main/contract';
import { useAction } from '../client/useRequest';
import { CodeEditor, type CodeEditorHandle } from '../components/CodeEditor';
import type { PageProps } from '../lib/route';
import { useClient } from '../state/app';
import { ApplySteps, Diff, History, OfferedFiles, OutcomeCard, Problems, type Outcome } from './config/ConfigPanels';
import { BacktestPanel, type BacktestTarget } from './alerts/Backtest';
import { RoutingPanel } from './alerts/Routing';
import { RuleTests } from './config/RuleTests';

const YAML = yaml();

export function ConfigPage({ params, setParams }: PageProps) {
  const client = useClient();
  const [steps, setSteps] = useState<ConfigStep[]>([]);
  const [state, setState] = useState<ConfigState | undefined>();
  const [drafts, setDrafts] = useState<Partial<Record<ConfigFileName, string>>>({});
  const [problems, setProblems] = useState<ConfigProblem[] | undefined>();
  const [outcome, setOutcome] = useState<Outcome | undefined>();
  const [diff, setDiff] = useState<string[] | undefined>();
  const [backtest, setBacktest] = useState<BacktestTarget | undefined>();
  const [routingDraft, setRoutingDraft] = useState<string | undefined>();
  const action = useAction();
  const busy = action.busy;
  const editor = useRef<CodeEditorHandle>(null);
  // The files are the Node side's list (config:get), and the ones Obsdeck ships that this config
  // directory lacks (new, until applied); the URL names one of them.
  const files = useMemo((): (ConfigState['files'][number] & { shipped?: string })[] => [
    ...(state?.files ?? []),
    ...(state?.offered ?? []).map((o) => ({ name: o.name as ConfigFileName, text: '', shipped: o.text })),
  ], [state]);
  const file = files.find((f) => f.name === params.file)?.name ?? ('prometheus.yml' satisfies ConfigFileName);

  const load = () => client.request('config:get', {}).then((s) => {
    setState(s);
    setDrafts({});
  }, (e: unknown) => setOutcome({ kind: 'bad', text: e instanceof Error ? e.message : String(e) }));
  useEffect(() => {
    void load();
  }, [client]); // once per client
  // Apply's and Restore's steps, as the Node side takes them.
  useEffect(() => client.on('config:progress', (s) => setSteps((list) => [...list, s].slice(-20))), [client]);

  // A refused Apply's problems are the ones Validate lists, marked in the text.
  const invalid = action.error?.code === 'CONFIG_INVALID';
  useEffect(() => {
    if (action.error?.code === 'CONFIG_INVALID') setProblems(action.error.problems);
  }, [action.error]);
  const shownProblems = problems;
  const failure: Outcome | undefined = action.error && (invalid
    ? { kind: 'bad', text: 'Not applied: the configuration is invalid. The running one is unchanged.' }
    : { kind: 'bad', text: action.error.message, details: action.error.details });
  const shown = failure ?? outcome;
  const marks = useMemo(() => (shownProblems ?? []).filter((p): p is ConfigProblem & { line: number } => p.file === file && p.line !== undefined), [shownProblems, file]);
  const saved = files.find((f) => f.name === file);
  const offered = saved?.shipped;
  const text = drafts[file] ?? offered ?? saved?.text ?? '';
  const dirty = offered !== undefined || (drafts[file] !== undefined && drafts[file] !== saved?.text);

  const run = (what: string, work: () => Promise<void>) => {
    setOutcome(undefined);
    setSteps([]);
    void action.run(what, work);
  };
  const restore = (id: string) => run('restore', async () => {
    const next = await client.request('config:restore', { id });
    setState(next);
    setDrafts({});
    setOutcome({ kind: 'ok', text: `Restored ${id}: ${next.history[0]?.note ?? 'applied'}` });
  });

  // The rule under the cursor of the rules draft, backtested as it stands (Ctrl/Cmd+B again after an edit).
  const rules = file === 'prometheus_rules.yml';
  const backtestAtCursor = () => setBacktest({ draft: text, at: editor.current?.cursor() ?? 0 });
  const latest = useRef(backtestAtCursor);
  latest.current = backtestAtCursor;

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
          {files.map((f) => (
            <button key={f.name} type="button" aria-pressed={f.name === file} onClick={() => setParams({ ...params, file: f.name })}>
              {f.name}{f.shipped !== undefined ? ' (new)' : drafts[f.name] !== undefined && drafts[f.name] !== f.text ? ' •' : ''}
            </button>
          ))}
        </nav>
        <button type="button" data-action="validate" title="Ctrl+Enter" disabled={!!busy} onClick={() => run('validate', async () => {
          const found = await client.request('config:validate', { file, text });
          setProblems(found);
          setOutcome(found.some((p) => p.severity === 'error') ? undefined : { kind: 'ok', text: `${file} is valid${found.length ? ' (with notes below)' : ''}` });
        })}>{busy === 'validate' ? 'Validating…' : 'Validate'}</button>
        <button type="button" className="primary" disabled={!!busy} onClick={() => run('apply', async () => {
          const r = await client.request('config:apply', { file, text });
          setProblems([]);
          setOutcome({ kind: 'ok', text: `Applied: ${r.note}${r.id ? ` (history ${r.id})` : ''}` });
          await load();
        })}>{busy === 'apply' ? 'Applying…' : 'Apply'}</button>
        {rules && <button type="button" title="Ctrl+B" onClick={backtestAtCursor}>Backtest rule at cursor</button>}
        {file === 'alertmanager.yml' && <button type="button" onClick={() => setRoutingDraft(text)}>Route tree of this draft</button>}
        <button type="button" disabled={!!busy} onClick={() => run('diff', async () => setDiff(await client.request('config:diff', { file, text })))}>Diff with running</button>
        {dirty && <button type="button" onClick={() => setDrafts({ ...drafts, [file]: undefined })}>Discard edits</button>}
        <span className="muted">{state ? saved?.path ?? `${state.configDir}/${file}` : 'Loading…'}</span>
      </div>

      {saved?.readOnly && <p role="status" className="warn">{saved.readOnly}</p>}
      {state && state.offered.length > 0 && (
        <OfferedFiles offered={state.offered.map((o) => o.name)} current={offered !== undefined ? file : undefined}
          onReview={(name) => setParams({ ...params, file: name })}
          onDismiss={(name) => run('dismiss', async () => setState(await client.request('config:dismiss', { file: name as ConfigFileName })))} />
      )}
      {file === 'docker-compose.yml' && !saved?.readOnly && <p className="muted">Apply saves your copy and brings the running services up to date: a service whose definition changed is recreated (its data volumes are kept).</p>}
      {shown && <OutcomeCard outcome={shown} />}
      {busy && steps.length > 0 && <ApplySteps steps={steps} />}
      {shownProblems && shownProblems.length > 0 && <Problems problems={shownProblems} onJump={jump} />}

      <CodeEditor ref={editor} value={text} onChange={(t) => setDrafts((d) => ({ ...d, [file]: t }))} language={YAML} label={`Edit ${file}`} problems={marks} onSubmit={() => document.querySelector<HTMLButtonElement>('[data-action=validate]')?.click()} {...(rules ? { shortcuts: { 'Mod-b': () => latest.current() } } : {})} />
      {file === 'alertmanager.yml' && routingDraft !== undefined && <RoutingPanel draft={routingDraft} />}
      {rules && <RuleTests {...(dirty ? { draft: text } : {})} />}
      {rules && backtest && <BacktestPanel target={backtest} title="rule at cursor (draft)" onClose={() => setBacktest(undefined)} />}

      {diff && <Diff file={file} diff={diff} onClose={() => setDiff(undefined)} />}
      {state && state.history.length > 0 && <History history={state.history} onRestore={restore} />}
    </section>
  );
}
