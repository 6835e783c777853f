import { describe, expect, it } from 'vitest';
import { parser } from '@prometheus-io/lezer-promql';
import { paramsOf } from '../client/promapi';
import { loadHistory, remember } from './queryhistory';
import { dashboardPath, grafanaExploreUrl, safeGrafanaPath } from './grafana';

describe('the explorer', () => {
  it('hands the editor\'s requests to prom:read with every repeated parameter kept', () => {
    const url = new URL('/api/v1/series?start=1&match%5B%5D=up&match%5B%5D=http_requests_total', 'http://prometheus.invalid');
    expect(paramsOf(url)).toEqual({ start: '1', 'match[]': ['up', 'http_requests_total'] });
    expect(paramsOf(new URL('http://x/api/v1/labels'), new URLSearchParams({ 'match[]': 'up', end: '2' }))).toEqual({ 'match[]': 'up', end: '2' });
    expect(paramsOf(new URL('http://x/api/v1/query'), 'query=sum(up)&time=3')).toEqual({ query: 'sum(up)', time: '3' });
  });

  it('remembers each query once, newest first, and survives a corrupt store', () => {
    let h = remember([], 'up');
    h = remember(h, 'sum(up)');
    h = remember(h, 'up');
    expect(h).toEqual(['up', 'sum(up)']);
    expect(remember(Array.from({ length: 30 }, (_, i) => `q${i}`), 'new')).toHaveLength(30);
    expect(loadHistory({ getItem: () => '{not json' })).toEqual([]);
    expect(loadHistory({ getItem: () => JSON.stringify(['a', 3, 'b']) })).toEqual(['a', 'b']);
  });

  it('opens a query in Grafana\'s Explore on the provisioned data source', () => {
    const expr = 'sum by (status) (rate(http_requests_total{endpoint="/auth/login"}[1m]))';
    const u = new URL(grafanaExploreUrl(expr, '15m'), 'http://127.0.0.1:3000');
    expect(u.pathname).toBe('/explore');
    const panes = JSON.parse(u.searchParams.get('panes')!) as Record<string, { datasource: string; queries: { expr: string; datasource: { uid: string } }[]; range: { from: string } }>;
    const pane = Object.values(panes)[0]!;
    expect(pane.queries[0]!.expr).toBe(expr);
    expect(pane.queries[0]!.datasource.uid).toBe('prometheus');
    expect(pane.range.from).toBe('now-15m');
    let errors = 0;
    parser.parse(pane.queries[0]!.expr).iterate({
      enter: (n) => {
        if (n.type.isError) errors++;
      },
    });
    expect(errors).toBe(0);
  });

  it('keeps Grafana paths on Grafana\'s origin', () => {
    expect(safeGrafanaPath('/d/poc3-http?kiosk')).toBe('/d/poc3-http?kiosk');
    for (const bad of ['//evil.example/x', 'https://evil.example/', '/\\evil.example', undefined, '']) expect(safeGrafanaPath(bad)).toBe(dashboardPath('poc3-overview', false));
  });
});
