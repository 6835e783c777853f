// The Alerts view's parts: one alert (state, severity, for how long, value; Silence, Graph, its
// service's logs), the silence being made (with a preview of what it would cover), Alertmanager's
// notification groups, and the silences with Expire.
import type { AlertInfo, AlertsSnapshot } from '../../../main/contract';
import { since } from '../../lib/format';

export type Matcher = { name: string; value: string; isRegex: boolean };
export interface SilenceDraft { alert: AlertInfo; matchers: Matcher[]; minutes: number; comment: string }

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

export interface AlertCardProps {
  a: AlertInfo;
  now: number;
  canSilence: boolean;
  onSilence: (a: AlertInfo) => void;
  /** "Who gets this?" with the alert's labels. */
  onRoute: (labels: Record<string, string>) => void;
  explore: (expr: string) => void;
  openLogs: (service: string, from: string) => void;
}

export function AlertCard({ a, now, canSilence, onSilence, onRoute, explore, openLogs }: AlertCardProps) {
  return (
    <article className={`alert ${a.state}`} data-state={a.state} data-silenced={String(!!a.silencedBy)}>
      <header>
        <span className={`badge ${a.state === 'firing' ? 'bad' : 'warn'}`}>{a.silencedBy ? `${a.state}, silenced` : a.state}</span>
        {a.labels.severity && <span className="label">severity={a.labels.severity}</span>}
        <span className="muted">for {since(a.activeAt, now)} · value {Number(a.value).toPrecision(4)}</span>
        {canSilence && !a.silencedBy && <button type="button" onClick={() => onSilence(a)}>Silence…</button>}
        {a.expr && <button type="button" className="link" onClick={() => explore(a.expr!)}>Graph</button>}
        <button type="button" className="link" onClick={() => onRoute(a.labels)}>Who gets this?</button>
        {a.service && a.activeAt && <button type="button" className="link" onClick={() => openLogs(a.service!, new Date(Date.parse(a.activeAt!) - 60_000).toISOString())}>{a.service} logs since it began</button>}
      </header>
      <p>{a.annotations.summary}</p>
      {a.annotations.description && <p className="muted">{a.annotations.description}</p>}
      <div className="labels">{Object.entries(a.labels).map(([k, v]) => <span key={k} className="label">{k}={v}</span>)}</div>
    </article>
  );
}

export interface NewSilenceProps {
  draft: SilenceDraft;
  setDraft: (d: SilenceDraft | undefined) => void;
  active: AlertInfo[];
  onCreate: () => void;
}

export function NewSilence({ draft, setDraft, active, onCreate }: NewSilenceProps) {
  return (
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
      <button type="button" className="primary" disabled={!draft.comment.trim() || draft.matchers.length === 0} onClick={onCreate}>Create silence</button>{' '}
      <button type="button" onClick={() => setDraft(undefined)}>Cancel</button>
    </section>
  );
}

export function NotificationGroups({ groups }: { groups: AlertsSnapshot['groups'] }) {
  return (
<section className="card" aria-label="Alertmanager groups">
      <h2>Alertmanager's notification groups</h2>
      <table className="targets">
        <thead><tr><th>Group</th><th>Receiver</th><th>Alerts</th><th>Notifying</th><th>Silenced or inhibited</th></tr></thead>
        <tbody>
          {groups.map((g) => (
            <tr key={`${g.receiver} ${JSON.stringify(g.labels)}`}>
              <td>{Object.entries(g.labels).map(([k, v]) => <code key={k}>{k}="{v}" </code>)}</td>
              <td>{g.receiver}</td><td>{g.alerts}</td><td>{g.active}</td><td>{g.suppressed}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function Silences({ silences, onExpire }: { silences: AlertsSnapshot['silences']; onExpire: (id: string) => void }) {
  return (
    <section className="card" aria-label="Silences">
      <h2>Silences</h2>
      <table className="targets">
        <thead><tr><th>Matchers</th><th>Until</th><th>By</th><th>Comment</th><th /></tr></thead>
        <tbody>
          {silences.filter((s) => s.state !== 'expired').map((s) => (
            <tr key={s.id} aria-label={`silence ${s.id}`}>
              <td>{s.matchers.map((m) => <code key={m.name} className="label">{m.name}{m.isRegex ? '=~' : '='}"{m.value}"</code>)}</td>
              <td>{new Date(s.endsAt).toLocaleString()}</td>
              <td>{s.createdBy}</td>
              <td>{s.comment}</td>
              <td><button type="button" onClick={() => onExpire(s.id)}>Expire</button></td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
