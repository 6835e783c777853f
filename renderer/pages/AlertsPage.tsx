// The Alerts view: Prometheus' firing and pending alerts, grouped by name, with labels,
// annotations, active since and value; silence one from its labels (with a preview of what the
// silence would cover) and expire silences. Refreshed every 5 s.
import { useState } from 'react';
import type { AlertInfo } from '../../main/contract';
import { useAction, useRequest } from '../client/useRequest';
import { since } from '../lib/format';
import type { PageProps } from '../pages';
import { AlertPathStatus } from './alerts/AlertPathStatus';
import { AlertPathTest } from './alerts/AlertPathTest';
import { useClient } from '../state/app';

type Matcher = { name: string; value: string; isRegex: boolean };

/** Does a silence with these matchers cover an alert? (Alertmanager's rule, for the preview.) */
export function covers(matchers: Matcher[], labels: Record<string, string>): boolean {
  return matchers.every((m) => {
    const v = labels[m.name] ?? '';
    if (!m.isRegex) return v === m.value;
    try {
      return new RegExp(`^(?:${m.value})$`).test(v);
    } catch {
      return false;
    }
  });
}

export function AlertsPage({ go }: PageProps) {
  const client = useClient();
  const list = useRequest('alerts:list', {}, { everyMs: 5000 });
  const snap = list.data;
  const receiver = snap?.receiver;
  const action = useAction();
  const error = action.error ?? list.error;
  const now = list.at ?? Date.now();
  const [draft, setDraft] = useState<{ alert: AlertInfo; matchers: Matcher[]; minutes: number; comment: string } | undefined>();
  const explore = (q: string) => go({ view: 'explore', params: { q, tab: 'graph', range: '1h' } });
  const openLogs = (service: string, from: string) => go({ view: 'logs', params: { services: service, since: from } });

  const active = (snap?.alerts ?? []).filter((a) => a.state !== 'inactive');
  const groups = [...new Set(active.map((a) => a.name))].sort();

  const startSilence = (alert: AlertInfo) => setDraft({
    alert,
    matchers: Object.entries(alert.labels).filter(([k]) => k !== '__name__').map(([name, value]) => ({ name, value, isRegex: false })),
    minutes: 60,
    comment: '',
  });

  return (
    <section aria-label="Alerts" className="alerts-view">
      {error && (
        <div role="alert" className="card callout" data-code={error.code}>
          <p className="bad">{error.code === 'PROMETHEUS_UNREACHABLE' ? 'Prometheus does not answer' : error.code === 'ALERTMANAGER_UNREACHABLE' ? 'Alertmanager does not answer' : 'That did not work'}</p>
          <p>{error.message}</p>
        </div>
      )}
      {!snap && !error && <p>Loading alerts…</p>}
      {snap && !snap.alertmanager && <p role="status" className="bad">Alertmanager does not answer: silences cannot be shown or made.</p>}
      {receiver && <AlertPathStatus receiver={receiver} />}
      <AlertPathTest disabled={!snap?.alertmanager} />
      {receiver?.refused && (
        <p role="status" className="warn" aria-label="Refused notifications">
          The receiver turned away {receiver.refused.count} {receiver.refused.count === 1 ? 'request' : 'requests'}; the last, at {new Date(receiver.refused.at).toLocaleTimeString()}: {receiver.refused.last}.
        </p>
      )}
      {snap && active.length === 0 && <p className="muted">Nothing is firing or pending.</p>}
      {groups.map((name) => (
        <section key={name} className="card alert-group" aria-label={`alert ${name}`}>
          <h2>{name} <span className="muted">({active.filter((a) => a.name === name).length})</span></h2>
          {active.filter((a) => a.name === name).map((a, i) => (
            <article key={i} className={`alert ${a.state}`} data-state={a.state} data-silenced={String(!!a.silencedBy)}>
              <header>
                <span className={`badge ${a.state === 'firing' ? 'bad' : 'warn'}`}>{a.silencedBy ? `${a.state}, silenced` : a.state}</span>
                {a.labels.severity && <span className="label">severity={a.labels.severity}</span>}
                <span className="muted">for {since(a.activeAt, now)} · value {Number(a.value).toPrecision(4)}</span>
                {snap?.alertmanager && !a.silencedBy && <button type="button" onClick={() => startSilence(a)}>Silence…</button>}
                {a.expr && <button type="button" className="link" onClick={() => explore(a.expr!)}>Graph</button>}
                {a.service && a.activeAt && <button type="button" className="link" onClick={() => openLogs(a.service!, new Date(Date.parse(a.activeAt!) - 60_000).toISOString())}>{a.service} logs since it began</button>}
              </header>
              <p>{a.annotations.summary}</p>
              {a.annotations.description && <p className="muted">{a.annotations.description}</p>}
              <div className="labels">{Object.entries(a.labels).map(([k, v]) => <span key={k} className="label">{k}={v}</span>)}</div>
            </article>
          ))}
        </section>
      ))}

      {draft && (
        <section className="card" aria-label="New silence">
          <h2>Silence {draft.alert.name}</h2>
          <ul className="matchers">
            {draft.matchers.map((m, i) => (
              <li key={m.name}>
                <code>{m.name}="{m.value}"</code>{' '}
                <button type="button" aria-label={`drop matcher ${m.name}`} onClick={() => setDraft({ ...draft, matchers: draft.matchers.filter((_, j) => j !== i) })}>drop</button>
              </li>
            ))}
          </ul>
          <label>For{' '}
            <select aria-label="Silence duration" value={draft.minutes} onChange={(e) => setDraft({ ...draft, minutes: Number(e.target.value) })}>
              <option value={15}>15 minutes</option><option value={60}>1 hour</option><option value={240}>4 hours</option><option value={1440}>1 day</option>
            </select>
          </label>{' '}
          <input aria-label="Silence comment" placeholder="Why (required)" value={draft.comment} onChange={(e) => setDraft({ ...draft, comment: e.target.value })} />
          <p aria-label="Silence preview">
            Would silence {active.filter((a) => covers(draft.matchers, a.labels)).length} of {active.length} active alerts
            {draft.matchers.length === 0 && ' — with no matcher it would silence everything, so at least one is needed'}.
          </p>
          <button type="button" className="primary" disabled={!draft.comment.trim() || draft.matchers.length === 0} onClick={() => {
            void action.run('silence', async () => {
              await client.request('silences:create', { matchers: draft.matchers, minutes: draft.minutes, comment: draft.comment.trim() });
              setDraft(undefined);
              list.refetch();
            });
          }}>Create silence</button>{' '}
          <button type="button" onClick={() => setDraft(undefined)}>Cancel</button>
        </section>
      )}

      {snap && snap.groups.length > 0 && (
        <section className="card" aria-label="Alertmanager groups">
          <h2>Alertmanager's notification groups</h2>
          <table className="targets">
            <thead><tr><th>Group</th><th>Receiver</th><th>Alerts</th><th>Notifying</th><th>Silenced or inhibited</th></tr></thead>
            <tbody>
              {snap.groups.map((g) => (
                <tr key={`${g.receiver} ${JSON.stringify(g.labels)}`}>
                  <td>{Object.entries(g.labels).map(([k, v]) => <code key={k}>{k}="{v}" </code>)}</td>
                  <td>{g.receiver}</td><td>{g.alerts}</td><td>{g.active}</td><td>{g.suppressed}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}

      {snap && snap.silences.some((s) => s.state !== 'expired') && (
        <section className="card" aria-label="Silences">
          <h2>Silences</h2>
          <table className="targets">
            <thead><tr><th>Matchers</th><th>Until</th><th>By</th><th>Comment</th><th /></tr></thead>
            <tbody>
              {snap.silences.filter((s) => s.state !== 'expired').map((s) => (
                <tr key={s.id} aria-label={`silence ${s.id}`}>
                  <td>{s.matchers.map((m) => <code key={m.name} className="label">{m.name}{m.isRegex ? '=~' : '='}"{m.value}"</code>)}</td>
                  <td>{new Date(s.endsAt).toLocaleString()}</td>
                  <td>{s.createdBy}</td>
                  <td>{s.comment}</td>
                  <td><button type="button" onClick={() => void action.run('expire', async () => {
                    await client.request('silences:expire', { id: s.id });
                    list.refetch();
                  })}>Expire</button></td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </section>
  );
}
