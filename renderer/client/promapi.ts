// Prometheus' read-only API as the renderer reaches it: through the contract's `prom:read`
// (never straight to Prometheus' port), shaped as fetch() for the PromQL editor's completion
// and as typed calls for the explorer.
import type { ContractClient } from '../../main/contract';

/** The query string and form body of a request as the params `prom:read` takes. */
export function paramsOf(url: URL, body?: unknown): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const add = (k: string, v: string) => {
    const had = out[k];
    out[k] = had === undefined ? v : [...(Array.isArray(had) ? had : [had]), v];
  };
  url.searchParams.forEach((v, k) => add(k, v));
  if (body instanceof URLSearchParams) body.forEach((v, k) => add(k, v));
  else if (typeof body === 'string') new URLSearchParams(body).forEach((v, k) => add(k, v));
  return out;
}

/** fetch() for codemirror-promql's HTTP client: `<anything>/api/v1/<path>?…` goes over the contract. */
export function promFetch(client: ContractClient): (input: RequestInfo | URL, init?: RequestInit) => Promise<Response> {
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input), 'http://prometheus.invalid');
    const apiPath = url.pathname.replace(/^.*?\/api\/v1\//, '');
    const r = await client.request('prom:read', { path: apiPath, params: paramsOf(url, init?.body) });
    return new Response(JSON.stringify(r.body), { status: r.status, headers: { 'content-type': 'application/json' } });
  };
}

export type InstantResult =
  | { resultType: 'vector'; result: { metric: Record<string, string>; value: [number, string] }[] }
  | { resultType: 'matrix'; result: { metric: Record<string, string>; values: [number, string][] }[] }
  | { resultType: 'scalar'; result: [number, string] }
  | { resultType: 'string'; result: [number, string] };

export class PromQueryError extends Error {
  constructor(readonly errorType: string, message: string) {
    super(message);
    this.name = 'PromQueryError';
  }
}

/** An instant query; Prometheus' own complaint (bad_data: parse error at …) as a PromQueryError. */
export async function instantQuery(client: ContractClient, query: string, time?: number): Promise<{ data: InstantResult; warnings: string[] }> {
  const r = await client.request('prom:read', { path: 'query', params: { query, ...(time ? { time: String(time) } : {}) } });
  const body = r.body as { status: string; data?: InstantResult; errorType?: string; error?: string; warnings?: string[] };
  if (body.status !== 'success' || !body.data) throw new PromQueryError(body.errorType ?? 'error', body.error ?? `HTTP ${r.status}`);
  return { data: body.data, warnings: body.warnings ?? [] };
}
