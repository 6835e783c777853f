// Typed clients for the Prometheus HTTP API (/api/v1) and the Alertmanager API (/api/v2).
// Network failures and API errors become one readable message naming what was asked.
import { fetchWithin } from './fetch.js';

export class ApiError extends Error {
  constructor(readonly what: string, message: string, readonly status?: number) {
    super(`${what}: ${message}`);
  }
}

/** Why a fetch failed, in words: undici hides the reason in `cause` (sometimes an AggregateError). */
export function networkReason(err: unknown, timeoutMs: number): string {
  // fetchWithin aborts with a TimeoutError DOMException as the reason.
  if ((err instanceof Error || err instanceof DOMException) && err.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  const cause = (err as { cause?: { code?: string; message?: string; errors?: { code?: string }[] } }).cause;
  const code = cause?.code ?? cause?.errors?.find((e) => e.code)?.code;
  switch (code) {
    case 'ECONNREFUSED': return 'connection refused (is it running?)';
    case 'ECONNRESET': case 'UND_ERR_SOCKET': return 'closed the connection (starting or stopping?)';
    case 'ENOTFOUND': case 'EAI_AGAIN': return 'host not found';
    case 'EHOSTUNREACH': case 'ENETUNREACH': return 'unreachable';
    default: return cause?.message ?? (err instanceof Error ? err.message : String(err));
  }
}

async function request<T>(base: string, what: string, pathAndQuery: string, init: RequestInit = {}, timeoutMs = 10_000): Promise<T> {
  let res: Response;
  try {
    res = await fetchWithin(`${base}${pathAndQuery}`, timeoutMs, init);
  } catch (err) {
    throw new ApiError(what, `${base} ${networkReason(err, timeoutMs)}`);
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  const b = body as { status?: string; error?: string; errorType?: string } | undefined;
  if (!res.ok || b?.status === 'error') {
    const message = b?.error ? `${b.errorType ? `${b.errorType}: ` : ''}${b.error}` : `HTTP ${res.status} ${text.slice(0, 200)}`;
    throw new ApiError(what, message, res.status);
  }
  return body as T;
}

/** POST <base>/-/reload: resolves once the service has loaded its files, rejects with its complaint. */
async function postReload(base: string, what: string): Promise<void> {
  const res = await fetchWithin(`${base}/-/reload`, 30_000, { method: 'POST' }).catch((err: unknown) => {
    throw new ApiError(what, `${base} ${err instanceof Error ? err.message : String(err)}`);
  });
  const text = await res.text();
  if (!res.ok) throw new ApiError(what, text.trim() || `HTTP ${res.status}`, res.status);
}

export type Labels = Record<string, string>;
export interface Sample { metric: Labels; value: [number, string] }
export interface RangeSeries { metric: Labels; values: [number, string][] }
export type QueryData =
  | { resultType: 'vector'; result: Sample[] }
  | { resultType: 'matrix'; result: RangeSeries[] }
  | { resultType: 'scalar' | 'string'; result: [number, string] };

export interface Target {
  discoveredLabels: Labels;
  labels: Labels;
  scrapePool: string;
  scrapeUrl: string;
  globalUrl: string;
  lastError: string;
  lastScrape: string;
  lastScrapeDuration: number;
  health: 'up' | 'down' | 'unknown';
  scrapeInterval: string;
  scrapeTimeout: string;
}

export interface RuleGroup {
  name: string;
  file: string;
  interval: number;
  /** When the group's last evaluation began (wall clock, a few ms after its evaluation timestamp). */
  lastEvaluation?: string;
  rules: ({ type: 'alerting'; name: string; query: string; duration: number; labels: Labels; annotations: Labels; alerts: Alert[]; health: string; lastError?: string; state: string }
    | { type: 'recording'; name: string; query: string; labels?: Labels; health: string; lastError?: string })[];
}

export interface Alert { labels: Labels; annotations: Labels; state: 'pending' | 'firing' | 'inactive'; activeAt?: string; value: string }

export class PrometheusClient {
  constructor(readonly base: string) {}

  private get<T>(what: string, p: string, params?: Record<string, string | undefined>): Promise<T> {
    const qs = params ? `?${new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined)).toString()}` : '';
    return request<{ data: T }>(this.base, what, `${p}${qs}`).then((r) => r.data);
  }

  private post<T>(what: string, p: string, params: Record<string, string | undefined>): Promise<T> {
    const body = new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined));
    return request<{ data: T }>(this.base, what, p, { method: 'POST', body }).then((r) => r.data);
  }

  query(expr: string, time?: number): Promise<QueryData> {
    return this.post('query', '/api/v1/query', { query: expr, time: time?.toString() });
  }

  queryRange(expr: string, start: number, end: number, step: number): Promise<QueryData> {
    return this.post('query_range', '/api/v1/query_range', { query: expr, start: String(start), end: String(end), step: String(step) });
  }

  /** The first sample's value of an instant query, or undefined when the result is empty. */
  async value(expr: string): Promise<number | undefined> {
    const d = await this.query(expr);
    if (d.resultType === 'vector') return d.result[0] ? Number(d.result[0].value[1]) : undefined;
    if (d.resultType === 'scalar') return Number(d.result[1]);
    return undefined;
  }

  targets(state: 'active' | 'dropped' | 'any' = 'any'): Promise<{ activeTargets: Target[]; droppedTargets: { discoveredLabels: Labels }[] }> {
    return this.get('targets', '/api/v1/targets', { state });
  }

  series(match: string[], start?: number, end?: number): Promise<Labels[]> {
    const body = new URLSearchParams(match.map((m): [string, string] => ['match[]', m]));
    if (start !== undefined) body.set('start', String(start));
    if (end !== undefined) body.set('end', String(end));
    return request<{ data: Labels[] }>(this.base, 'series', '/api/v1/series', { method: 'POST', body }).then((r) => r.data);
  }

  labelValues(label: string, match?: string): Promise<string[]> {
    return this.get('label values', `/api/v1/label/${encodeURIComponent(label)}/values`, { 'match[]': match });
  }

  rules(): Promise<{ groups: RuleGroup[] }> {
    return this.get('rules', '/api/v1/rules');
  }

  alerts(): Promise<{ alerts: Alert[] }> {
    return this.get('alerts', '/api/v1/alerts');
  }

  config(): Promise<{ yaml: string }> {
    return this.get('config', '/api/v1/status/config');
  }

  flags(): Promise<Record<string, string>> {
    return this.get('flags', '/api/v1/status/flags');
  }

  buildInfo(): Promise<{ version: string; revision: string; goVersion: string }> {
    return this.get('build info', '/api/v1/status/buildinfo');
  }

  runtimeInfo(): Promise<{ startTime: string; reloadConfigSuccess: boolean; lastConfigTime: string; storageRetention: string }> {
    return this.get('runtime info', '/api/v1/status/runtimeinfo');
  }

  tsdb(): Promise<{ headStats: { numSeries: number; numLabelPairs: number; chunkCount: number; minTime: number; maxTime: number }; seriesCountByMetricName: { name: string; value: number }[] }> {
    return this.get('TSDB status', '/api/v1/status/tsdb');
  }

  /** POST /-/reload (needs --web.enable-lifecycle); resolves when Prometheus has loaded the files, rejects with its complaint. */
  reload(): Promise<void> {
    return postReload(this.base, 'reload');
  }

  async ready(): Promise<boolean> {
    return fetchWithin(`${this.base}/-/ready`, 1000).then((r) => r.ok, () => false);
  }
}

export interface AmAlert { labels: Labels; annotations: Labels; startsAt: string; endsAt: string; fingerprint: string; status: { state: 'active' | 'suppressed' | 'unprocessed'; silencedBy: string[]; inhibitedBy: string[] }; receivers: { name: string }[] }
export interface Matcher { name: string; value: string; isRegex: boolean; isEqual?: boolean }
export interface Silence { id: string; matchers: Matcher[]; startsAt: string; endsAt: string; createdBy: string; comment: string; status: { state: 'active' | 'pending' | 'expired' } }

export class AlertmanagerClient {
  constructor(readonly base: string) {}

  alerts(filter: string[] = []): Promise<AmAlert[]> {
    const qs = new URLSearchParams(filter.map((f): [string, string] => ['filter', f]));
    return request(this.base, 'alertmanager alerts', `/api/v2/alerts${filter.length ? `?${qs.toString()}` : ''}`);
  }

  /** POST /api/v2/alerts: as Prometheus sends them (an `endsAt` in the past resolves them). */
  async postAlerts(alerts: { labels: Labels; annotations: Labels; startsAt: string; endsAt: string }[]): Promise<void> {
    await request(this.base, 'post alerts', '/api/v2/alerts', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alerts) });
  }

  groups(): Promise<{ labels: Labels; receiver: { name: string }; alerts: AmAlert[] }[]> {
    return request(this.base, 'alertmanager groups', '/api/v2/alerts/groups');
  }

  silences(): Promise<Silence[]> {
    return request(this.base, 'silences', '/api/v2/silences');
  }

  async createSilence(s: { matchers: Matcher[]; startsAt?: string; endsAt: string; createdBy: string; comment: string }): Promise<string> {
    const body = { ...s, startsAt: s.startsAt ?? new Date().toISOString(), matchers: s.matchers.map((m) => ({ isEqual: true, ...m })) };
    const r = await request<{ silenceID: string }>(this.base, 'create silence', '/api/v2/silences', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return r.silenceID;
  }

  async expireSilence(id: string): Promise<void> {
    const res = await fetchWithin(`${this.base}/api/v2/silence/${encodeURIComponent(id)}`, 10_000, { method: 'DELETE' });
    if (!res.ok) throw new ApiError('expire silence', `${id}: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`, res.status);
  }

  status(): Promise<{ cluster: { status: string }; config: { original: string }; uptime: string; versionInfo: Record<string, string> }> {
    return request(this.base, 'alertmanager status', '/api/v2/status');
  }

  reload(): Promise<void> {
    return postReload(this.base, 'alertmanager reload');
  }
}
