// The history of every alert (the app's SQLite history, brought up to date from Prometheus'
// ALERTS): a timeline per rule over the last 24 hours or 7 days with each firing as a bar, each
// rule's figures (firings, time firing, mean time to resolve, flapping), and a CSV download.
import { useState } from 'react';
import { useRequest } from '../../client/useRequest';
import { historyCsv } from '../../lib/csv';
import { formatDuration } from '../../lib/format';
import type { AlertHistoryEntry } from '../../../main/contract';
import { byLabelSet, labelText } from '../../lib/history';

/** One bar per firing across the window [from, from + span], each with its times and labels on hover. */
function Bars({ label, entries, from, span, now }: { label: string; entries: AlertHistoryEntry[]; from: number; span: number; now: number }) {
  const x = (t: number) => `${Math.max(0, (t - from) / span) * 100}%`;
  return (
    <svg role="img" aria-label={label} width="100%" height="14" preserveAspectRatio="none">
      {entries.map((e) => (
        <rect key={`${e.firedAt}${JSON.stringify(e.labels)}`} x={x(e.firedAt)} width={`${Math.max(0.3, ((e.resolvedAt ?? now) - Math.max(e.firedAt, from)) / span * 100)}%`} y="2" height="10" className="band-firing">
          <title>{`${new Date(e.firedAt).toLocaleString()} – ${e.resolvedAt ? new Date(e.resolvedAt).toLocaleTimeString() : 'still firing'} ${labelText(e.labels)}`}</title>
        </rect>
      ))}
    </svg>
  );
}

const SPANS = [{ label: '24 h', ms: 86_400_000 }, { label: '7 days', ms: 604_800_000 }] as const;

export function AlertHistoryPanel() {
  const [span, setSpan] = useState<number>(SPANS[0].ms);
  // The window's start moves with each refresh (every 30 s): the request is made from it then.
  const history = useRequest('alerts:history', () => ({ since: Date.now() - span }), { everyMs: 30_000, key: String(span) });
  const h = history.data;
  const now = history.at ?? Date.now();
  const from = now - span;
  const download = () => {
    if (!h) return;
    const url = URL.createObjectURL(new Blob([historyCsv(h.entries)], { type: 'text/csv' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `obsdeck-alert-history-${new Date(now).toISOString().slice(0, 10)}.csv`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  return (
    <section className="card history" aria-label="Alert history">
      <div className="toolbar wrap">
        <h2>History</h2>
        {SPANS.map((s) => <button key={s.label} type="button" aria-pressed={span === s.ms} onClick={() => setSpan(s.ms)}>{s.label}</button>)}
        <button type="button" disabled={!h?.entries.length} onClick={download}>Download CSV</button>
      </div>
      {history.error && <p role="alert" className="bad">{history.error.message}</p>}
      {h?.note && <p className="muted">{h.note}</p>}
      {h && h.rules.length === 0 && <p className="muted">Nothing fired in the last {SPANS.find((s) => s.ms === span)?.label}.</p>}
      {h && h.rules.length > 0 && (
        <table aria-label="Alert history by rule">
          <thead><tr><th>Rule</th><th>Firings</th><th>Time firing</th><th>Mean time to resolve</th><th className="timeline-head">Timeline</th></tr></thead>
          <tbody>
            {h.rules.map((r) => {
              const mine = h.entries.filter((e) => e.alertname === r.alertname);
              const sets = byLabelSet(mine);
              return [
                <tr key={r.alertname} data-rule={r.alertname} data-firings={r.firings}>
                  <td>{r.alertname}{r.firingNow && <span className="badge bad" title="no resolve seen yet: still firing, or it ended while nothing was watching (the next read of Prometheus closes it)">open</span>}{r.flapping && <span className="badge warn" title="more than 3 firings within an hour">flapping</span>}</td>
                  <td>{r.firings}</td>
                  <td>{formatDuration(r.firingMs / 1000)}</td>
                  <td>{r.meanResolveMs !== undefined ? formatDuration(r.meanResolveMs / 1000) : '—'}</td>
                  <td className="timeline"><Bars label={`${r.alertname} firings`} entries={mine} from={from} span={span} now={now} /></td>
                </tr>,
                // More than one label set: a row each, so one noisy instance stands out.
                ...(sets.size > 1 ? [...sets].map(([set, own]) => {
                  return (
                    <tr key={`${r.alertname} ${set}`} data-labels={set} className="subrow">
                      <td className="muted small">{set || '(no labels)'}</td><td>{own.length}</td><td /><td />
                      <td className="timeline"><Bars label={`${r.alertname} ${set} firings`} entries={own} from={from} span={span} now={now} /></td>
                    </tr>
                  );
                }) : []),
              ];
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
