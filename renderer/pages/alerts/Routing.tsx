// Alertmanager's routing tree drawn as a tree (matchers, receiver, continue, grouping and timers),
// and "Who gets this?": a label set, typed or taken from an alert, lights up the routes it
// reaches and their path, names the receivers, and says which active alert would mute it. Shows
// the applied alertmanager.yml, or a draft of it in the Config view.
import { useEffect, useState } from 'react';
import type { RouteView, RoutingView } from '../../../main/contract';
import { useAction } from '../../client/useRequest';
import { labelSetText, parseLabelSet } from '../../lib/labels';
import { useClient } from '../../state/app';

const onPath = (id: string, matched: string[]) => matched.some((m) => m === id || m.startsWith(`${id}.`));

function Route({ r, matched, depth }: { r: RouteView; matched?: string[]; depth: number }) {
  const hit = matched?.includes(r.id);
  const path = matched && onPath(r.id, matched);
  return (
    <li data-route={r.id} data-matched={hit ? 'true' : path ? 'path' : 'false'} className={hit ? 'route hit' : path ? 'route path' : 'route'}>
      <div className="route-line">
        <span className="route-match">{depth === 0 ? 'every alert' : r.matchers.length ? r.matchers.join(', ') : 'every alert'}</span>
        {' → '}<strong className={r.ownReceiver ? '' : 'muted'}>{r.receiver}</strong>
        {r.continue && <span className="badge">continue</span>}
        {hit && <span className="badge good">receives it</span>}
        <span className="muted small"> group by [{r.groupBy.join(', ')}] · wait {r.groupWait} · interval {r.groupInterval} · repeat {r.repeatInterval}
          {r.muteTimeIntervals.length > 0 && ` · muted during ${r.muteTimeIntervals.join(', ')}`}{r.activeTimeIntervals.length > 0 && ` · active during ${r.activeTimeIntervals.join(', ')}`}
          {r.line !== undefined && ` · line ${r.line}`}</span>
      </div>
      {r.routes.length > 0 && <ul>{r.routes.map((c) => <Route key={c.id} r={c} matched={matched} depth={depth + 1} />)}</ul>}
    </li>
  );
}

export function RoutingPanel({ draft, labels: given }: { draft?: string; labels?: Record<string, string> }) {
  const client = useClient();
  const action = useAction();
  const [text, setText] = useState(given ? labelSetText(given) : '');
  const [view, setView] = useState<RoutingView | undefined>();
  const [typo, setTypo] = useState<string | undefined>();
  const ask = (labelsText: string) => {
    const parsed = labelsText.trim() ? parseLabelSet(labelsText) : { labels: undefined };
    if ('error' in parsed) {
      setTypo(parsed.error);
      return;
    }
    setTypo(undefined);
    void action.run('routes', async () => setView(await client.request('routes:show', { ...(draft !== undefined ? { draft } : {}), ...(parsed.labels ? { labels: parsed.labels } : {}) })));
  };
  const givenKey = given ? labelSetText(given) : '';
  useEffect(() => {
    if (given) setText(givenKey);
    ask(givenKey || text);
  }, [draft, givenKey]); // again for another draft or another alert's labels

  const test = view?.test;
  return (
    <section className="card routing" aria-label="Routing">
      <h2>Routing{view?.draft ? ' (draft)' : ''}</h2>
      <form className="toolbar wrap" onSubmit={(e) => {
        e.preventDefault();
        ask(text);
      }}>
        <label>Who gets this? <input aria-label="Alert labels" value={text} size={48} placeholder='alertname="HighErrorRate", severity="warning"' onChange={(e) => setText(e.target.value)} /></label>
        <button type="submit" disabled={!!action.busy}>Route it</button>
      </form>
      {typo && <p role="alert" className="bad">{typo}</p>}
      {action.error && <p role="alert" className="bad">{action.error.message}</p>}
      {test && (
        <p aria-label="Receivers" className="good">
          {labelSetText(test.labels) || 'An alert with no labels'} goes to {test.receivers.join(', ')}{test.matched.length > 1 ? ` (${test.matched.length} routes)` : ''}.
          {test.inhibitedBy.length > 0 && <span className="warn"> Muted meanwhile: {test.inhibitedBy.map((i) => `${labelSetText(i.source)} fires (inhibit rule ${i.rule + 1})`).join('; ')}.</span>}
        </p>
      )}
      {view && <ul className="route-tree" aria-label="Route tree"><Route r={view.root} matched={test?.matched} depth={0} /></ul>}
      {view && view.inhibit.length > 0 && (
        <ul aria-label="Inhibition rules" className="muted small">
          {view.inhibit.map((r, i) => <li key={i}>Rule {i + 1}{r.line ? ` (line ${r.line})` : ''}: while an alert matching {r.source.join(', ')} fires, alerts matching {r.target.join(', ')} with the same {r.equal.join(', ') || '(no labels)'} are muted.</li>)}
        </ul>
      )}
    </section>
  );
}
