// Grafana inside the app, on the provisioned dashboards (or a query in its Explore), kiosk mode
// a click away. In the desktop window it is a separate, sandboxed view on Grafana's own origin
// (main/electron: no preload, popups denied) laid over this page's placeholder; in a browser
// (obsdeck serve) an embedded frame and a link. When Grafana is not running, the view says so
// and how to add it.
import { useEffect, useRef, useState } from 'react';
import { preloadBridge } from '../client/client';
import { useAction } from '../client/useRequest';
import { DASHBOARDS, dashboardPath, safeGrafanaPath } from '../lib/grafana';
import type { PageProps } from '../lib/route';
import { useClient, useSnapshot } from '../state/app';

const bridge = preloadBridge()?.grafana;

export function GrafanaPage({ params, setParams }: PageProps) {
  const client = useClient();
  const { snap } = useSnapshot();
  const grafana = snap?.services.find((s) => s.service === 'grafana');
  const base = grafana?.url;
  const kiosk = params.kiosk === '1';
  const path = params.path ? safeGrafanaPath(params.path) : dashboardPath(params.dashboard ?? DASHBOARDS[0].uid, kiosk);
  const url = base ? `${base}${path}` : undefined;
  const start = useAction();

  if (!grafana) {
    return (
      <section aria-label="Grafana" className="card callout">
        <p className="bad">This stack has no Grafana service.</p>
        <p>The compose file in use defines no <code>grafana</code> service; the shipped one (observability/docker-compose.yml) does.</p>
      </section>
    );
  }
  if (!url) {
    return (
      <section aria-label="Grafana" className="card callout" data-state="not-running">
        <p className="bad">Grafana is not part of the running stack.</p>
        <p>
          {grafana.state === 'missing' ? 'It was not started' : `It is ${grafana.state}`}
          {snap?.services.some((s) => s.state === 'running') ? ' (Start without services starts the ones OBSDECK_SERVICES names, when it is set).' : '.'}{' '}
          Start it here or from its card in the Stack view; its dashboards are provisioned, and anonymous visitors may view them.
        </p>
        <button type="button" className="primary" disabled={!!start.busy} onClick={() => void start.run('grafana', () => client.request('stack:up', { services: ['grafana'] }))}>{start.busy ? 'Starting Grafana…' : 'Start Grafana'}</button>
        {start.error && <p role="alert" className="bad">{start.error.message}</p>}
        {!start.error && grafana.unavailable && (
          <div role="alert" className="bad">
            <p>{grafana.unavailable.why}</p>
            <details><summary>details</summary><pre className="logs">{grafana.unavailable.details}</pre></details>
          </div>
        )}
      </section>
    );
  }

  return (
    <section aria-label="Grafana" className="grafana-view">
      <div className="toolbar wrap">
        <nav aria-label="Dashboards" className="tabs">
          {DASHBOARDS.map((d) => (
            <button key={d.uid} type="button" aria-pressed={!params.path && (params.dashboard ?? DASHBOARDS[0].uid) === d.uid} onClick={() => setParams({ dashboard: d.uid, ...(kiosk ? { kiosk: '1' } : {}) })}>{d.title}</button>
          ))}
        </nav>
        <label><input type="checkbox" checked={kiosk} onChange={(e) => setParams({ ...params, kiosk: e.target.checked ? '1' : '' })} /> Kiosk</label>
        <a href={url} target="_blank" rel="noreferrer">Open in the browser</a>
      </div>
      {bridge ? <NativeGrafana url={url} /> : <iframe className="grafana-frame" title="Grafana" src={url} sandbox="allow-scripts allow-same-origin allow-forms" referrerPolicy="no-referrer" />}
    </section>
  );
}

/** The Electron view, kept over the placeholder as the page scrolls and resizes. */
function NativeGrafana({ url }: { url: string }) {
  const place = useRef<HTMLDivElement>(null);
  const [message, setMessage] = useState<string | undefined>();
  useEffect(() => {
    const el = place.current;
    if (!el || !bridge) return;
    const show = () => {
      const r = el.getBoundingClientRect();
      void bridge.show(url, { x: r.x, y: r.y, width: r.width, height: r.height }).then((res) => setMessage(res.ok ? undefined : res.message));
    };
    show();
    const observer = new ResizeObserver(show);
    observer.observe(el);
    window.addEventListener('resize', show);
    return () => {
      observer.disconnect();
      window.removeEventListener('resize', show);
      void bridge.hide();
    };
  }, [url]);
  return <div ref={place} className="grafana-frame" aria-label="Grafana view">{message && <p role="alert" className="bad">{message}</p>}</div>;
}
