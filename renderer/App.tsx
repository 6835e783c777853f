// The app shell: the header with the pages (PAGES), the connection state and the alert notices,
// and the current page (from the URL) behind its error boundary.
import { useEffect, useMemo, useState } from 'react';
import { contractClient } from './client/client';
import { BusyBy } from './components/BusyBy';
import { ErrorBoundary } from './components/ErrorBoundary';
import { Notices } from './components/Notices';
import { useRoute } from './lib/route';
import { PAGES } from './pages';
import { AppProvider, createAppState } from './state/app';

export function App() {
  const state = useMemo(() => createAppState(contractClient()), []);
  const [connected, setConnected] = useState(true);
  const [refused, setRefused] = useState<string | undefined>();
  const [route, go] = useRoute();
  useEffect(() => state.client.onConnection((up, why) => {
    setConnected(up);
    setRefused(why);
  }), [state]);
  const page = PAGES.find((p) => p.view === route.view) ?? PAGES[0]!;

  // Keyboard: Alt+N opens the Nth page; "/" jumps to the page's filter box.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const typing = e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement || e.target instanceof HTMLTextAreaElement || (e.target instanceof HTMLElement && e.target.isContentEditable);
      const n = Number(e.key);
      if (e.altKey && n >= 1 && n <= PAGES.length) {
        e.preventDefault();
        go({ view: PAGES[n - 1]!.view, params: {} });
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
    <AppProvider state={state}>
      <div className="app">
        <header className="top">
          <h1>Obsdeck</h1>
          <nav aria-label="Views">
            {PAGES.map((p, i) => (
              <a key={p.view} href={`?view=${p.view}`} aria-current={page.view === p.view ? 'page' : undefined} title={`Alt+${i + 1}`} onClick={(e) => {
                e.preventDefault();
                go({ view: p.view, params: {} });
              }}>{p.title}</a>
            ))}
          </nav>
          <span className="subtitle">POC3 Security observability stack</span>
          {!connected && !refused && <span role="status" className="bad">Reconnecting to Obsdeck…</span>}
          <BusyBy />
          <Notices openAlerts={() => go({ view: 'alerts', params: {} })} />
        </header>
        <main>
          {refused && <div role="alert" className="card callout" aria-label="No access"><p className="bad">Obsdeck needs its access token</p><p>{refused}</p></div>}
          <ErrorBoundary page={page.title}>
            <page.Page params={route.params} setParams={(params) => go({ view: page.view, params }, !page.push)} go={(r) => go(r)} />
          </ErrorBoundary>
        </main>
      </div>
    </AppProvider>
  );
}
