// The app's reads of Prometheus for its pages: scrape targets, range queries for the charts
// (each expression on its own, so one bad query is reported on its chart and the others still
// draw), and the explorer's pass-through of a read-only API path with Prometheus' own answer.
import type { RangeResult, Replies, TargetInfo } from '../contract.js';
import { networkReason, type PrometheusClient } from './client.js';
import { fetchWithin } from './fetch.js';

export class PrometheusUnreachable extends Error {}

export async function targetList(client: PrometheusClient): Promise<TargetInfo[]> {
  try {
    const { activeTargets } = await client.targets('active');
    return activeTargets.map((t) => ({
      pool: t.scrapePool, url: t.scrapeUrl, health: t.health, labels: t.labels, lastScrape: t.lastScrape, lastScrapeMs: t.lastScrapeDuration * 1000, lastError: t.lastError,
    }));
  } catch (err) {
    throw new PrometheusUnreachable(err instanceof Error ? err.message : String(err), { cause: err });
  }
}

export function rangeQueries(client: PrometheusClient, q: { exprs: string[]; start: number; end: number; step: number }): Promise<RangeResult[]> {
  return Promise.all(q.exprs.map(async (expr): Promise<RangeResult> => {
    try {
      const d = await client.queryRange(expr, q.start, q.end, q.step);
      if (d.resultType !== 'matrix') return { expr, series: [], error: `not a range vector (${d.resultType})` };
      return { expr, series: d.result.map((r) => ({ labels: r.metric, points: r.values.map(([t, v]): [number, number] => [t, Number(v)]) })) };
    } catch (err) {
      return { expr, series: [], error: err instanceof Error ? err.message : String(err) };
    }
  }));
}

/**
 * One read-only Prometheus API call, passed through with Prometheus' own status and envelope
 * (the explorer shows its errors as they are); only a network failure is an error here.
 */
export async function promRead(base: string, apiPath: string, params: Record<string, string | string[]>): Promise<Replies['prom:read']> {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const one of Array.isArray(v) ? v : [v]) query.append(k, one);
  let res: Response;
  try {
    // Prometheus takes a form body on the query, labels and series endpoints, which keeps a long
    // query out of the URL; the others are GET only.
    const form = /^(query|query_range|query_exemplars|labels|series|format_query|parse_query)$/.test(apiPath);
    res = await fetchWithin(form ? `${base}/api/v1/${apiPath}` : `${base}/api/v1/${apiPath}?${query.toString()}`, 30_000, form ? { method: 'POST', body: query } : {});
  } catch (err) {
    throw new PrometheusUnreachable(`${base} ${networkReason(err, 30_000)}`, { cause: err });
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = { status: 'error', errorType: 'bad_response', error: `HTTP ${res.status}: ${text.slice(0, 200)}` };
  }
  return { status: res.status, body };
}
