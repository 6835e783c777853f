// `npm run dashboards`: writes the four provisioned Grafana dashboards of the stack into
// observability/grafana/dashboards/. The JSON files are what Grafana loads and what users may
// edit; this generator keeps the four consistent (one data source, the same variables, the same
// panel conventions), and a unit test fails when the committed files and it disagree.
//
// Where the seed's Grafana examples are wrong, the dashboards do what they mean:
// - panel type "graph" was removed in Grafana 11; "timeseries" replaces it;
// - `rate(...) by (endpoint)` is not PromQL: `sum by (endpoint) (rate(...))`;
// - histogram_quantile() gets its buckets summed `by (le, ...)` first.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const DATASOURCE = { type: 'prometheus', uid: 'prometheus' } as const;
export const DASHBOARD_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'observability', 'grafana', 'dashboards');

/** Every query filters to the API's job and the chosen instances (and endpoints, where chosen). */
const SEL = 'job="poc3-security", instance=~"$instance"';
const SEL_EP = `${SEL}, endpoint=~"$endpoint"`;
const RATE = '$__rate_interval';

interface Target { expr: string; legend?: string }
interface PanelSpec {
  title: string;
  type: 'timeseries' | 'stat';
  unit: string;
  targets: Target[];
  description?: string;
  /** Width in grid columns (of 24); height is fixed per type. */
  w?: number;
  thresholds?: { color: string; value: number | null }[];
  max?: number;
}

const ts = (title: string, unit: string, targets: Target[], extra: Partial<PanelSpec> = {}): PanelSpec => ({ title, type: 'timeseries', unit, targets, ...extra });
const stat = (title: string, unit: string, expr: string, extra: Partial<PanelSpec> = {}): PanelSpec => ({ title, type: 'stat', unit, targets: [{ expr }], w: 6, ...extra });

const GREEN_WHEN_HIGH = [{ color: 'red', value: null }, { color: 'orange', value: 0.99 }, { color: 'green', value: 0.999 }];
const RED_WHEN_HIGH = (warn: number, crit: number) => [{ color: 'green', value: null }, { color: 'orange', value: warn }, { color: 'red', value: crit }];

const variables = (withEndpoint: boolean) => {
  const v = (name: string, label: string, query: string) => ({
    name,
    label,
    type: 'query',
    datasource: DATASOURCE,
    definition: query,
    query: { query, refId: `${name}-variable` },
    refresh: 2, // on time range change, so new instances and endpoints show up
    includeAll: true,
    multi: true,
    allValue: '.*',
    current: { selected: true, text: ['All'], value: ['$__all'] },
    sort: 1,
  });
  // The seed's variables, narrowed to the API's job so Prometheus' own series do not leak in.
  const list = [v('instance', 'Instance', 'label_values(http_requests_total{job="poc3-security"}, instance)')];
  if (withEndpoint) list.push(v('endpoint', 'Endpoint', 'label_values(http_requests_total{job="poc3-security", instance=~"$instance"}, endpoint)'));
  return list;
};

function panels(specs: PanelSpec[]) {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  return specs.map((s, i) => {
    const w = s.w ?? 12;
    const h = s.type === 'stat' ? 5 : 8;
    if (x + w > 24) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    const gridPos = { h, w, x, y };
    x += w;
    rowHeight = Math.max(rowHeight, h);
    const defaults: Record<string, unknown> = { unit: s.unit };
    if (s.thresholds) defaults.thresholds = { mode: 'absolute', steps: s.thresholds };
    if (s.max !== undefined) defaults.max = s.max;
    if (s.type === 'timeseries') defaults.custom = { drawStyle: 'line', lineWidth: 1, fillOpacity: 10, showPoints: 'never', spanNulls: false };
    return {
      id: i + 1,
      type: s.type,
      title: s.title,
      ...(s.description ? { description: s.description } : {}),
      datasource: DATASOURCE,
      gridPos,
      fieldConfig: { defaults, overrides: [] },
      options: s.type === 'stat'
        ? { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, colorMode: 'value', graphMode: 'area', textMode: 'auto' }
        : { legend: { displayMode: 'list', placement: 'bottom', showLegend: true }, tooltip: { mode: 'multi', sort: 'desc' } },
      targets: s.targets.map((t, j) => ({
        refId: String.fromCharCode(65 + j),
        datasource: DATASOURCE,
        expr: t.expr,
        legendFormat: t.legend ?? '__auto',
        range: true,
      })),
    };
  });
}

function dashboard(uid: string, title: string, description: string, withEndpoint: boolean, specs: PanelSpec[]) {
  return {
    uid,
    title,
    description,
    tags: ['poc3', 'obsdeck'],
    timezone: 'browser',
    editable: true,
    graphTooltip: 1,
    refresh: '10s',
    time: { from: 'now-30m', to: 'now' },
    schemaVersion: 39,
    version: 1,
    links: [{ type: 'dashboards', tags: ['poc3'], asDropdown: true, title: 'POC3 dashboards', includeVars: true, keepTime: true }],
    templating: { list: variables(withEndpoint) },
    annotations: { list: [] },
    panels: panels(specs),
  };
}

const quantile = (q: number, metric: string, by: string, sel: string) =>
  `histogram_quantile(${q}, sum by (${by}le) (rate(${metric}_bucket{${sel}}[${RATE}])))`;

export function dashboards(): Record<string, ReturnType<typeof dashboard>> {
  const overview = dashboard('poc3-overview', 'POC3 Overview', 'The service level indicators of the POC3 Security API (recording rules of prometheus_rules.yml).', false, [
    stat('Availability (5m)', 'percentunit', 'job:http_availability:ratio_rate5m{job="poc3-security"}', { thresholds: GREEN_WHEN_HIGH, max: 1 }),
    stat('Error ratio (5m)', 'percentunit', 'job:http_errors:ratio_rate5m{job="poc3-security"}', { thresholds: RED_WHEN_HIGH(0.01, 0.05) }),
    stat('p95 latency (5m)', 's', 'job:http_request_duration_seconds:p95_5m{job="poc3-security"}', { thresholds: RED_WHEN_HIGH(0.5, 1) }),
    stat('Throughput (5m)', 'reqps', 'job:http_requests:rate5m{job="poc3-security"}'),
    ts('Availability and error ratio', 'percentunit', [
      { expr: 'job:http_availability:ratio_rate5m{job="poc3-security"}', legend: 'availability' },
      { expr: 'job:http_errors:ratio_rate5m{job="poc3-security"}', legend: 'errors' },
    ], { w: 8 }),
    ts('Throughput', 'reqps', [{ expr: 'job:http_requests:rate5m{job="poc3-security"}', legend: 'requests' }], { w: 8 }),
    ts('p95 latency', 's', [{ expr: 'job:http_request_duration_seconds:p95_5m{job="poc3-security"}', legend: 'p95' }], {
      description: 'The HighLatency alert fires when this stays above 1 s for 5 minutes.',
      w: 8,
    }),
    stat('Targets up', 'short', `sum(up{${SEL}})`, { thresholds: [{ color: 'red', value: null }, { color: 'green', value: 1 }] }),
    stat('Active tokens', 'short', `sum(jwt_active_tokens{${SEL}})`),
    stat('Firing alerts', 'short', 'count(ALERTS{alertstate="firing"}) or vector(0)', { thresholds: RED_WHEN_HIGH(1, 1) }),
    stat('p95 encryption time (5m)', 's', 'job:encryption_duration_seconds:p95_5m{job="poc3-security"}'),
  ]);

  const http = dashboard('poc3-http', 'POC3 HTTP', 'Request rate, errors and latency of the POC3 Security API by endpoint.', true, [
    ts('Request rate by endpoint', 'reqps', [{ expr: `sum by (method, endpoint) (rate(http_requests_total{${SEL_EP}}[${RATE}]))`, legend: '{{method}} {{endpoint}}' }]),
    ts('Responses by status', 'reqps', [{ expr: `sum by (status) (rate(http_requests_total{${SEL_EP}}[${RATE}]))`, legend: '{{status}}' }]),
    ts('Error ratio by endpoint (5xx)', 'percentunit', [{
      expr: `sum by (endpoint) (rate(http_requests_total{${SEL_EP}, status=~"5.."}[${RATE}])) / sum by (endpoint) (rate(http_requests_total{${SEL_EP}}[${RATE}]))`,
      legend: '{{endpoint}}',
    }]),
    ts('Client errors by endpoint (4xx)', 'reqps', [{ expr: `sum by (endpoint, status) (rate(http_requests_total{${SEL_EP}, status=~"4.."}[${RATE}]))`, legend: '{{status}} {{endpoint}}' }]),
    ts('Latency percentiles', 's', [
      { expr: quantile(0.5, 'http_request_duration_seconds', '', SEL_EP), legend: 'p50' },
      { expr: quantile(0.95, 'http_request_duration_seconds', '', SEL_EP), legend: 'p95' },
      { expr: quantile(0.99, 'http_request_duration_seconds', '', SEL_EP), legend: 'p99' },
    ], { description: 'From the seed\'s buckets (0.1 s to 10 s): below 0.1 s a percentile is interpolated inside the first bucket.' }),
    ts('p95 latency by endpoint', 's', [{ expr: quantile(0.95, 'http_request_duration_seconds', 'endpoint, ', SEL_EP), legend: '{{endpoint}}' }]),
    ts('Average latency by endpoint', 's', [{
      expr: `sum by (endpoint) (rate(http_request_duration_seconds_sum{${SEL_EP}}[${RATE}])) / sum by (endpoint) (rate(http_request_duration_seconds_count{${SEL_EP}}[${RATE}]))`,
      legend: '{{endpoint}}',
    }]),
    ts('Open connections', 'short', [{ expr: `sum by (instance) (http_connections_active{${SEL}})`, legend: '{{instance}}' }]),
  ]);

  const login = `${SEL}, endpoint="/auth/login"`;
  const auth = dashboard('poc3-auth', 'POC3 Authentication', 'JWT tokens, logins and security events of the POC3 Security API.', false, [
    stat('Active tokens', 'short', `sum(jwt_active_tokens{${SEL}})`),
    stat('Login success ratio (5m)', 'percentunit', `sum(rate(http_requests_total{${login}, status="200"}[5m])) / sum(rate(http_requests_total{${login}}[5m]))`, { max: 1 }),
    stat('Failed logins (5m)', 'short', `sum(increase(http_requests_total{${login}, status="401"}[5m]))`, { thresholds: RED_WHEN_HIGH(10, 100) }),
    stat('Refresh-token reuse (1h)', 'short', `sum(increase(security_events_total{${SEL}, event_type="refresh_reuse"}[1h]))`, { thresholds: RED_WHEN_HIGH(1, 1) }),
    ts('Tokens created by type', 'ops', [{ expr: `sum by (token_type) (rate(jwt_tokens_created_total{${SEL}}[${RATE}]))`, legend: '{{token_type}}' }]),
    ts('Tokens created by role', 'ops', [{ expr: `sum by (user_role) (rate(jwt_tokens_created_total{${SEL}}[${RATE}]))`, legend: '{{user_role}}' }]),
    ts('Active tokens', 'short', [{ expr: `sum by (instance) (jwt_active_tokens{${SEL}})`, legend: '{{instance}}' }]),
    ts('Logins', 'reqps', [
      { expr: `sum(rate(http_requests_total{${login}, status="200"}[${RATE}]))`, legend: 'succeeded' },
      { expr: `sum(rate(http_requests_total{${login}, status="401"}[${RATE}]))`, legend: 'failed' },
      { expr: `sum(rate(http_requests_total{${login}, status="429"}[${RATE}]))`, legend: 'rate limited' },
    ]),
    ts('Security events', 'ops', [{ expr: `sum by (event_type) (rate(security_events_total{${SEL}}[${RATE}]))`, legend: '{{event_type}}' }]),
    ts('Token validation p95 by result', 's', [{ expr: quantile(0.95, 'jwt_token_validation_duration_seconds', 'validation_result, ', SEL), legend: '{{validation_result}}' }]),
  ]);

  const encryption = dashboard('poc3-encryption', 'POC3 Encryption', 'Field encryption (AES-256-GCM) of customer email and phone in the POC3 Security API.', false, [
    ts('Operations by field and type', 'ops', [{ expr: `sum by (field_type, operation_type) (rate(encryption_operations_total{${SEL}}[${RATE}]))`, legend: '{{operation_type}} {{field_type}}' }]),
    ts('p95 duration by operation', 's', [{ expr: quantile(0.95, 'encryption_duration_seconds', 'operation_type, ', SEL), legend: '{{operation_type}}' }]),
    ts('Average duration by operation', 's', [{
      expr: `sum by (operation_type) (rate(encryption_duration_seconds_sum{${SEL}}[${RATE}])) / sum by (operation_type) (rate(encryption_duration_seconds_count{${SEL}}[${RATE}]))`,
      legend: '{{operation_type}}',
    }]),
    ts('Failures', 'short', [{ expr: `sum by (operation_type, field_type) (increase(encryption_failures_total{${SEL}}[${RATE}]))`, legend: '{{operation_type}} {{field_type}}' }], {
      description: 'A failed decryption means a missing key or tampered data; the EncryptionFailures alert fires on the first one.',
    }),
    stat('Encryptions (total)', 'short', `sum(encryption_operations_total{${SEL}, operation_type="encrypt"})`),
    stat('Decryptions (total)', 'short', `sum(encryption_operations_total{${SEL}, operation_type="decrypt"})`),
    stat('Failures (1h)', 'short', `sum(increase(encryption_failures_total{${SEL}}[1h]))`, { thresholds: RED_WHEN_HIGH(1, 1) }),
  ]);

  return { 'overview.json': overview, 'http.json': http, 'authentication.json': auth, 'encryption.json': encryption };
}

export const render = (d: unknown): string => `${JSON.stringify(d, null, 2)}\n`;

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  fs.mkdirSync(DASHBOARD_DIR, { recursive: true });
  for (const [file, d] of Object.entries(dashboards())) fs.writeFileSync(path.join(DASHBOARD_DIR, file), render(d));
  console.log(`wrote ${Object.keys(dashboards()).length} dashboards to ${path.relative(process.cwd(), DASHBOARD_DIR)}`);
}
