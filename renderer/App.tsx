// The app shell: header with the views, the connection state, and the current view (from the URL).
import { useEffect, useMemo, useState } from 'react';
import { contractClient } from './client';
import { useRoute, VIEWS } from './route';
import { AlertsView } from './AlertsView';
import { ConfigView } from './ConfigView';
import { ExplorerView } from './ExplorerView';
import { GrafanaView } from './GrafanaView';
import { Notices } from './Notices';
import { publishedBase, useSnapshot } from './snapshot';
import { LogsView } from './LogsView';
import { MetricsView } from './MetricsView';
import { StackView } from './StackView';
import { TargetsView } from './TargetsView';

const TITLES = { stack: 'Stack', logs: 'Logs', targets: 'Targets', alerts: 'Alerts', metrics: 'Metrics', explore: 'Explore', config: 'Config', grafana: 'Grafana' } as const;

export function App() {
  const client = useMemo(() => contractClient(), []);
  const [connected, setConnected] = useState(true);
  const [route, go] = useRoute();
  const { snap, error: snapError } = useSnapshot(client);
  const grafanaBase = publishedBase(snap?.services.find((s) => s.service === 'grafana'), 3000);
  useEffect(() => client.onConnection(setConnected), [client]);

  // Keyboard: Alt+1/2/3 switch views; "/" jumps to the view's filter box.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const typing = e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement || e.target instanceof HTMLTextAreaElement || (e.target instanceof HTMLElement && e.target.isContentEditable);
      const n = Number(e.key);
      if (e.altKey && n >= 1 && n <= VIEWS.length) {
        e.preventDefault();
        go({ view: VIEWS[n - 1]!, params: {} });
      } else if (e.key === '/' && !typing) {
        const box = document.querySelector<HTMLInputElement>('main input[type=search]');
        if (box) {
          e.preventDefault();
          box.focus();
        }
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  return (
    <div className="app">
      <header className="top">
        <h1>Obsdeck</h1>
        <nav aria-label="Views">
          {VIEWS.map((v) => (
            <a key={v} href={`?view=${v}`} aria-current={route.view === v ? 'page' : undefined} onClick={(e) => {
              e.preventDefault();
              go({ view: v, params: {} });
            }} title={`Alt+${VIEWS.indexOf(v) + 1}`}>{TITLES[v]}</a>
          ))}
        </nav>
        <span className="subtitle">POC3 Security observability stack</span>
        {!connected && <span role="status" className="bad">Reconnecting to Obsdeck…</span>}
        <Notices client={client} openAlerts={() => go({ view: 'alerts', params: {} })} />
      </header>
      <main>
        {route.view === 'stack' && <StackView client={client} snap={snap} snapError={snapError} />}
        {route.view === 'logs' && <LogsView client={client} params={route.params} setParams={(params) => go({ view: 'logs', params }, true)} />}
        {route.view === 'alerts' && (
          <AlertsView
            client={client}
            explore={(q) => go({ view: 'explore', params: { q, tab: 'graph', range: '1h' } })}
            openLogs={(service, since) => go({ view: 'logs', params: { services: service, since } })}
          />
        )}
        {route.view === 'config' && <ConfigView client={client} params={route.params} setParams={(params) => go({ view: 'config', params }, true)} />}
        {route.view === 'metrics' && <MetricsView client={client} params={route.params} setParams={(params) => go({ view: 'metrics', params }, true)} explore={(q, range) => go({ view: 'explore', params: { q, tab: 'graph', range } })} />}
        {route.view === 'grafana' && <GrafanaView client={client} snap={snap} params={route.params} setParams={(params) => go({ view: 'grafana', params }, true)} />}
        {route.view === 'explore' && <ExplorerView client={client} params={route.params} setParams={(params) => go({ view: 'explore', params })} {...(grafanaBase ? { grafanaBase } : {})} />}
        {route.view === 'targets' && (
          <TargetsView
            client={client}
            params={route.params}
            setParams={(params) => go({ view: 'targets', params }, true)}
            openLogs={(service, since) => go({ view: 'logs', params: { services: service, since } })}
          />
        )}
      </main>
    </div>
  );
}
