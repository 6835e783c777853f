// The seed's PromQL queries ("Consultas PromQL"), grouped as the seed groups them, in English:
// what Explore opens with, each a click to run. Where the seed's PromQL is invalid (`rate(x[5m])
// by (endpoint)`: `by` belongs to an aggregation) it is written as it means, `sum by (endpoint)
// (rate(x[5m]))`, and a ratio of rates is summed on both sides so the series pair up. The
// integration test runs every one against the live stack (`expectsSeries`: false where a healthy
// API has nothing, such as its 5xx).
export interface SeedQuery { title: string; expr: string; expectsSeries: boolean; corrected?: true }
export interface SeedGroup { title: string; queries: SeedQuery[] }

const q = (title: string, expr: string, opts: { empty?: true; corrected?: true } = {}): SeedQuery => ({ title, expr, expectsSeries: !opts.empty, ...(opts.corrected ? { corrected: true } : {}) });

export const SEED_QUERIES: SeedGroup[] = [
  { title: 'Simple metrics', queries: [
    q('All requests', 'http_requests_total'),
    q('Requests by method', 'http_requests_total{method="POST"}'),
    q('Requests by endpoint', 'http_requests_total{endpoint="/customers"}'),
    // The seed says status="200"; creating a customer answers 201.
    q('Requests with several labels', 'http_requests_total{method="POST",endpoint="/customers",status="201"}', { corrected: true }),
  ] },
  { title: 'Aggregations', queries: [
    q('Total requests', 'sum(http_requests_total)'),
    q('Requests per method', 'sum by (method) (http_requests_total)'),
    q('Requests per endpoint', 'sum by (endpoint) (http_requests_total)'),
    q('Top 5 endpoints', 'topk(5, sum by (endpoint) (http_requests_total))'),
  ] },
  { title: 'Request rates', queries: [
    q('Requests per second', 'rate(http_requests_total[5m])'),
    q('Requests per second by endpoint', 'sum by (endpoint) (rate(http_requests_total[5m]))', { corrected: true }),
    q('Requests per second by method', 'sum by (method) (rate(http_requests_total[5m]))', { corrected: true }),
  ] },
  { title: 'Error rates', queries: [
    q('4xx rate', 'rate(http_requests_total{status=~"4.."}[5m])'),
    q('5xx rate', 'rate(http_requests_total{status=~"5.."}[5m])', { empty: true }),
    q('Error percentage', 'sum(rate(http_requests_total{status=~"5.."}[5m])) / sum(rate(http_requests_total[5m])) * 100', { empty: true, corrected: true }),
  ] },
  { title: 'Average latency', queries: [
    q('Average latency', 'rate(http_request_duration_seconds_sum[5m]) / rate(http_request_duration_seconds_count[5m])'),
    q('Latency by endpoint', 'sum by (endpoint) (rate(http_request_duration_seconds_sum[5m])) / sum by (endpoint) (rate(http_request_duration_seconds_count[5m]))', { corrected: true }),
  ] },
  { title: 'Percentiles', queries: [
    q('p95 latency', 'histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))', { corrected: true }),
    q('p99 latency', 'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))', { corrected: true }),
    q('p95 by endpoint', 'histogram_quantile(0.95, sum by (endpoint, le) (rate(http_request_duration_seconds_bucket[5m])))', { corrected: true }),
  ] },
  { title: 'Authentication', queries: [
    q('Tokens created per second', 'rate(jwt_tokens_created_total[5m])'),
    q('Active tokens', 'jwt_active_tokens'),
    q('Tokens by type', 'sum by (token_type) (jwt_tokens_created_total)'),
    q('Tokens by user role', 'sum by (user_role) (jwt_tokens_created_total)'),
  ] },
  { title: 'Security', queries: [
    q('Failed logins', 'rate(http_requests_total{endpoint="/auth/login",status="401"}[5m])'),
    q('Successful logins', 'rate(http_requests_total{endpoint="/auth/login",status="200"}[5m])'),
    q('Login success percentage', 'sum(rate(http_requests_total{endpoint="/auth/login",status="200"}[5m])) / sum(rate(http_requests_total{endpoint="/auth/login"}[5m])) * 100', { corrected: true }),
  ] },
  { title: 'Encryption operations', queries: [
    q('Encryption operations per second', 'rate(encryption_operations_total[5m])'),
    q('Encryption by field type', 'sum by (field_type) (encryption_operations_total)'),
    q('Encryption against decryption', 'sum by (operation_type) (encryption_operations_total)'),
  ] },
  { title: 'Encryption performance', queries: [
    q('Average encryption time', 'rate(encryption_duration_seconds_sum[5m]) / rate(encryption_duration_seconds_count[5m])'),
    q('Encryption time by operation', 'sum by (operation_type) (rate(encryption_duration_seconds_sum[5m])) / sum by (operation_type) (rate(encryption_duration_seconds_count[5m]))', { corrected: true }),
  ] },
];
