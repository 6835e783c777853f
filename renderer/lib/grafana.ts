// Where things are in Grafana: the provisioned dashboards (observability/grafana/dashboards,
// fixed uids) and Explore with a query on the provisioned Prometheus data source (uid
// "prometheus"). Paths only: the Grafana view puts them on Grafana's own origin.

export const DASHBOARDS = [
  { uid: 'poc3-overview', title: 'Overview' },
  { uid: 'poc3-http', title: 'HTTP' },
  { uid: 'poc3-auth', title: 'Authentication' },
  { uid: 'poc3-encryption', title: 'Encryption' },
] as const;

export function dashboardPath(uid: string, kiosk: boolean): string {
  return `/d/${encodeURIComponent(uid)}${kiosk ? '?kiosk' : ''}`;
}

/** Grafana's Explore (10 and later: one pane in `panes`) on the query, over the last `range`. */
export function grafanaExploreUrl(expr: string, range = '1h'): string {
  const datasource = { type: 'prometheus', uid: 'prometheus' };
  const panes = { obsdeck: { datasource: 'prometheus', queries: [{ refId: 'A', expr, datasource }], range: { from: `now-${range}`, to: 'now' } } };
  return `/explore?schemaVersion=1&orgId=1&panes=${encodeURIComponent(JSON.stringify(panes))}`;
}

/** A Grafana path from the URL, kept to a path on Grafana's origin (never another site). */
export function safeGrafanaPath(p: string | undefined): string {
  if (!p || !p.startsWith('/') || p.startsWith('//') || p.includes('\\')) return dashboardPath(DASHBOARDS[0].uid, false);
  return p;
}
