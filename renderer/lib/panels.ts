// The Metrics view's panels: the seed's SLIs (from the recording rules) and its security and
// encryption metrics. Plain data, so a test parses every query with the PromQL grammar.
import type { Unit } from './units.js';

export interface Panel { title: string; unit: Unit; queries: { expr: string; legend?: string }[] }

const JOB = 'job="poc3-security"';
export const PANELS: Panel[] = [
  { title: 'Availability (5m)', unit: 'percent', queries: [{ expr: `job:http_availability:ratio_rate5m{${JOB}}`, legend: 'availability' }] },
  { title: 'Error ratio (5m)', unit: 'percent', queries: [{ expr: `job:http_errors:ratio_rate5m{${JOB}}`, legend: '5xx ratio' }] },
  { title: 'p95 latency (5m)', unit: 'seconds', queries: [{ expr: `job:http_request_duration_seconds:p95_5m{${JOB}}`, legend: 'p95' }] },
  { title: 'Throughput by endpoint', unit: 'reqps', queries: [{ expr: `sum by (endpoint) (rate(http_requests_total{${JOB}}[1m]))`, legend: '{{endpoint}}' }] },
  { title: 'Logins by status', unit: 'reqps', queries: [{ expr: `sum by (status) (rate(http_requests_total{${JOB}, endpoint="/auth/login"}[1m]))`, legend: '{{status}}' }] },
  { title: 'Security events', unit: 'ops', queries: [{ expr: `sum by (event_type) (rate(security_events_total{${JOB}}[1m]))`, legend: '{{event_type}}' }] },
  { title: 'Active tokens', unit: 'short', queries: [{ expr: `sum(jwt_active_tokens{${JOB}})`, legend: 'active' }] },
  { title: 'Encryption operations', unit: 'ops', queries: [{ expr: `sum by (operation_type, field_type) (rate(encryption_operations_total{${JOB}}[1m]))`, legend: '{{operation_type}} {{field_type}}' }] },
];

/**
 * The services' vitals as Prometheus keeps them (the app serves them for its obsdeck-vitals job,
 * named as cAdvisor names them): the Metrics view's Vitals over a range longer than the app's
 * own 15 minutes. CPU as a fraction of one core, like the live chart.
 */
const VITALS = 'job="obsdeck-vitals"';
export const VITALS_PANELS: Panel[] = [
  { title: 'CPU', unit: 'percent', queries: [{ expr: `sum by (service) (rate(container_cpu_usage_seconds_total{${VITALS}}[1m]))`, legend: '{{service}}' }] },
  { title: 'Memory', unit: 'bytes', queries: [{ expr: `sum by (service) (container_memory_working_set_bytes{${VITALS}})`, legend: '{{service}}' }] },
];
