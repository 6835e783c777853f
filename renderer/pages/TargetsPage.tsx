// The Targets view: every scrape target with its health, labels, last scrape and its duration,
// and the last error; filtered by health and text (kept in the URL), refreshed every 5 s. A
// target that is down offers its service's last log lines.
import { useState } from 'react';
import type { LogLine, TargetInfo } from '../../main/contract';
import { useAction, useRequest } from '../client/useRequest';
import { ago } from '../lib/format';
import type { PageProps } from '../lib/route';
import { useClient } from '../state/app';

/** The stack's service behind a target (api_poc3:8083 → api_poc3; Prometheus scrapes itself as localhost). */
export function serviceOf(t: TargetInfo): string {
  const host = t.labels.instance?.split(':')[0] ?? '';
  return host === 'localhost' ? 'prometheus' : host;
}

export function TargetsPage({ params, setParams, go }: PageProps) {
  const client = useClient();
  const { data: targets, error: listError, at } = useRequest('targets:list', {}, { everyMs: 5000 });
  const action = useAction();
  const error = listError ?? action.error;
  const now = at ?? Date.now();
  const openLogs = (service: string, from: string) => go({ view: 'logs', params: { services: service, since: from } });
  const [logs, setLogs] = useState<{ service: string; lines: LogLine[] } | undefined>();
  const health = params.health ?? 'all';
  const text = params.q ?? '';

  const shown = (targets ?? []).filter((t) => (health === 'all' || t.health === health)
    && (!text || `${t.pool} ${t.url} ${Object.entries(t.labels).map(([k, v]) => `${k}=${v}`).join(' ')} ${t.lastError}`.toLowerCase().includes(text.toLowerCase())));

  const showLogs = (service: string) => {
    void action.run('logs', () => client.request('logs:tail', { services: [service], tail: 50 })).then((lines) => lines && setLogs({ service, lines }));
  };

  return (
    <section aria-label="Targets" className="targets-view">
      <div className="toolbar">
        <label>Health{' '}
          <select value={health} onChange={(e) => setParams({ ...params, health: e.target.value === 'all' ? '' : e.target.value })}>
            <option value="all">all</option><option value="up">up</option><option value="down">down</option><option value="unknown">unknown</option>
          </select>
        </label>
        <input type="search" placeholder="Filter by job, URL, label or error" aria-label="Filter targets" value={text} onChange={(e) => setParams({ ...params, q: e.target.value })} />
        <span className="muted">{targets ? `${shown.length} of ${targets.length} targets` : ''}</span>
      </div>
      {error && (
        <div role="alert" className="card callout" data-code={error.code}>
          <p className="bad">{error.code === 'PROMETHEUS_UNREACHABLE' ? 'Prometheus does not answer' : error.code === 'ENGINE_UNREACHABLE' ? 'No Docker engine' : 'Could not load the targets'}</p>
          <p>{error.message}</p>
          {error.code === 'PROMETHEUS_UNREACHABLE' && <p>Start the stack in the Stack view; the targets appear once Prometheus is ready.</p>}
        </div>
      )}
      {!targets && !error && <p>Loading targets…</p>}
      {targets && shown.length === 0 && <p className="muted">No target matches.</p>}
      {shown.length > 0 && (
        // Scrolls on its own when the window is narrow (the page does not), reachable by keyboard.
        <div className="table-scroll" role="region" aria-label="Scrape targets" tabIndex={0}>
        <table className="targets">
          <thead><tr><th>Health</th><th>Job</th><th>Endpoint</th><th>Labels</th><th>Last scrape</th><th>Duration</th><th>Error</th></tr></thead>
          <tbody>
            {shown.map((t) => (
              <tr key={t.url} data-health={t.health} aria-label={`target ${t.labels.job ?? t.pool}`}>
                <td><span className={`badge ${t.health === 'up' ? 'good' : t.health === 'down' ? 'bad' : 'warn'}`}>{t.health}</span></td>
                <td>{t.labels.job ?? t.pool}</td>
                <td><code>{t.url}</code>{t.task && <div className="muted" aria-label="task">task <code>{t.task}</code> on {t.node}</div>}</td>
                <td><div className="labels">{Object.entries(t.labels).map(([k, v]) => <span key={k} className="label">{k}={v}</span>)}</div></td>
                <td>{ago(t.lastScrape, now)}</td>
                <td>{t.lastScrape.startsWith('0001') ? '—' : `${t.lastScrapeMs.toFixed(1)} ms`}</td>
                <td>
                  <span className="bad">{t.lastError}</span>
                  {t.health === 'down' && (
                    <div className="actions">
                      <button type="button" onClick={() => showLogs(serviceOf(t))}>last lines</button>
                      <button type="button" onClick={() => openLogs(serviceOf(t), new Date(Date.parse(t.lastScrape) - 60_000).toISOString())}>{serviceOf(t)} logs around the error</button>
                    </div>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        </div>
      )}
      {logs && (
        <section className="card" aria-label={`logs of ${logs.service}`}>
          <h2>Last lines of {logs.service} <button type="button" onClick={() => setLogs(undefined)}>Close</button></h2>
          <pre className="logs">{logs.lines.map((l) => `${l.time.slice(11, 23)} ${l.text}`).join('\n') || '(nothing logged)'}</pre>
        </section>
      )}
    </section>
  );
}
