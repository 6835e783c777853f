// Every metric the API exposes, created once with its own Registry. Names and labels are the
// seed's (SEED-prometheus-poc3.md, "Métricas del POC3"); label values are bounded sets, never
// user ids, tokens, addresses or raw paths.
import client from 'prom-client';
import { FastCounter, FastHistogram } from './fast-metrics.js';

/** The seed's request-duration buckets. */
export const HTTP_BUCKETS = [0.1, 0.5, 1.0, 2.5, 5.0, 10.0];
/** Crypto and token checks take microseconds; the seed's HTTP buckets would put them all in one. */
const FAST_BUCKETS = [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1];

export const SECURITY_EVENTS = ['failed_login', 'rate_limited', 'invalid_token', 'refresh_reuse', 'forbidden'] as const;
export type SecurityEvent = (typeof SECURITY_EVENTS)[number];
export const VALIDATION_RESULTS = ['valid', 'expired', 'invalid', 'revoked'] as const;
export type ValidationResult = (typeof VALIDATION_RESULTS)[number];
export type EncryptedField = 'email' | 'phone';
export type CryptoOperation = 'encrypt' | 'decrypt';

export interface ApiMetrics {
  registry: client.Registry;
  httpRequests: FastCounter;
  httpDuration: FastHistogram;
  connectionsActive: client.Gauge;
  tokensCreated: FastCounter;
  tokenValidation: FastHistogram;
  encryptionOps: FastCounter;
  encryptionDuration: FastHistogram;
  encryptionFailures: FastCounter;
  securityEvents: FastCounter;
}

/**
 * @param countActiveTokens read at scrape time, so `jwt_active_tokens` falls as tokens expire
 *   or are revoked without anything having to tick.
 */
export function createMetrics(countActiveTokens: () => number): ApiMetrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  // These three are gauges named like counters, which `promtool check metrics` rejects; the
  // per-type gauges (nodejs_active_handles{type} ...) remain and sum() to the same values.
  for (const misnamed of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) {
    registry.removeSingleMetric(misnamed);
  }
  // The metrics touched on every request are FastCounter/FastHistogram (see fast-metrics.ts).
  const httpRequests = new FastCounter('http_requests_total', 'Total number of HTTP requests', ['method', 'endpoint', 'status'], registry);
  const httpDuration = new FastHistogram('http_request_duration_seconds', 'HTTP request duration in seconds', ['method', 'endpoint'], HTTP_BUCKETS, registry);
  const connectionsActive = new client.Gauge({
    name: 'http_connections_active',
    help: 'Active HTTP connections',
    registers: [registry],
  });
  const tokensCreated = new FastCounter('jwt_tokens_created_total', 'Total JWT tokens created', ['token_type', 'user_role'], registry);
  new client.Gauge({
    name: 'jwt_active_tokens',
    help: 'Number of active JWT tokens (unexpired and unrevoked, access and refresh)',
    registers: [registry],
    collect() {
      this.set(countActiveTokens());
    },
  });
  const tokenValidation = new FastHistogram('jwt_token_validation_duration_seconds', 'JWT token validation duration', ['validation_result'], FAST_BUCKETS, registry);
  const encryptionOps = new FastCounter('encryption_operations_total', 'Total encryption operations', ['operation_type', 'field_type'], registry);
  // The seed declares this a Summary but queries it with histogram_quantile(), which needs
  // buckets; a histogram is what its queries mean (and it aggregates across instances).
  const encryptionDuration = new FastHistogram('encryption_duration_seconds', 'Encryption operation duration', ['operation_type', 'field_type'], FAST_BUCKETS, registry);
  const encryptionFailures = new FastCounter('encryption_failures_total', 'Encryption or decryption operations that failed (wrong key, tampered ciphertext)', ['operation_type', 'field_type'], registry);
  const securityEvents = new FastCounter('security_events_total', 'Security-relevant events', ['event_type'], registry);
  // Start every bounded label set at zero so rate() and alerts see a series before the first event.
  for (const event of SECURITY_EVENTS) securityEvents.labels(event).inc(0);
  for (const op of ['encrypt', 'decrypt'] as const) {
    for (const field of ['email', 'phone'] as const) {
      encryptionOps.labels(op, field).inc(0);
      encryptionFailures.labels(op, field).inc(0);
    }
  }
  return {
    registry, httpRequests, httpDuration, connectionsActive, tokensCreated, tokenValidation,
    encryptionOps, encryptionDuration, encryptionFailures, securityEvents,
  };
}
