// Routes as data: the current view and its filters live in the URL (?view=targets&health=down),
// so a reload, a bookmark or the back button keeps them.
import { useEffect, useState } from 'react';

/** The pages' ids, in navigation order (pages.tsx gives each its title and component). */
export const VIEWS = ['stack', 'logs', 'targets', 'alerts', 'metrics', 'explore', 'config', 'grafana', 'objectives'] as const;
export type View = (typeof VIEWS)[number];
export interface Route { view: View; params: Record<string, string> }

export function readRoute(search = location.search): Route {
  const q = new URLSearchParams(search);
  const view = (VIEWS as readonly string[]).includes(q.get('view') ?? '') ? (q.get('view') as View) : VIEWS[0];
  q.delete('view');
  return { view, params: Object.fromEntries(q) };
}

export function routeUrl(r: Route): string {
  const q = new URLSearchParams({ view: r.view, ...Object.fromEntries(Object.entries(r.params).filter(([, v]) => v !== '')) });
  return `${location.pathname}?${q.toString()}`;
}

export function useRoute(): [Route, (r: Route, replace?: boolean) => void] {
  const [route, setRoute] = useState(readRoute);
  useEffect(() => {
    const onPop = () => setRoute(readRoute());
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  const go = (r: Route, replace = false) => {
    if (replace) history.replaceState(null, '', routeUrl(r));
    else history.pushState(null, '', routeUrl(r));
    setRoute(r);
  };
  return [route, go];
}

/** What every page is given: its filters from the URL, a way to change them, and a way to another page. */
export interface PageProps {
  /** The page's filters, from the URL. */
  params: Record<string, string>;
  /** Replaces the page's filters in the URL (a new history entry where `push` says so). */
  setParams: (p: Record<string, string>) => void;
  /** Opens another page (with its filters). */
  go: (r: Route) => void;
}
