// Is the alert path whole? Alertmanager (in a container) posts to the app's webhook at
// host.docker.internal; whether that lands where the app listens, and whether a packet from the
// stack's network gets there, depends on the engine (its history, its host-gateway-ip, a
// firewall), so the app asks the engine rather than trusting its own guess:
// - where: the host.docker.internal line dockerd wrote into the Alertmanager container's hosts;
// - reach: a request from a container on the stack's network (the API's, which has Node) to
//   the receiver, answered by the receiver itself;
// - delivery: Alertmanager's own webhook counters and its last "Notify attempt failed" line.
import type Docker from 'dockerode';
import { hostGatewayIn } from '../engine/host-gateway.js';
import { execIn } from '../engine/run-tool.js';
import type { PrometheusClient } from '../prom/client.js';
import { fetchWithin } from '../prom/fetch.js';
import { containerLines } from '../stack/logs.js';

export interface PathCheck {
  /** Where the engine says host.docker.internal is, read from Alertmanager's /etc/hosts. */
  hostGateway?: string;
  /** A request from the stack's network reached the receiver (undefined: not tried). */
  reached?: boolean;
  /** Why not, in one line, when something failed. */
  problem?: string;
}

/**
 * Asks a container that has Node to GET the receiver's URL: the receiver answers a GET with 405,
 * which proves the path without counting as a refused notification.
 */
export async function reachFrom(container: Docker.Container, url: string): Promise<{ ok: boolean; why?: string }> {
  const script = `fetch(${JSON.stringify(url)},{signal:AbortSignal.timeout(5000)}).then(r=>console.log('HTTP '+r.status),e=>{console.log(String(e.cause&&e.cause.code||e.cause&&e.cause.message||e.message));process.exit(3)})`;
  const r = await execIn(container, ['node', '-e', script]);
  if (r.code === 0 && /^HTTP 405\b/m.test(r.output)) return { ok: true };
  if (r.code === 0) return { ok: false, why: `${url} answered ${r.output.split('\n')[0]}, not the app's receiver` };
  return { ok: false, why: `${url} cannot be reached from the stack's network: ${r.output.split('\n').pop() || `exit ${r.code}`}` };
}

/**
 * Reads where host.docker.internal lands for Alertmanager, has `listenAt` make the receiver listen
 * there (it resolves to the receiver's URL, or undefined when it cannot listen there), and, when
 * `probe` (a container with Node on the stack's network) is given, checks that the receiver answers.
 */
export async function checkPath(alertmanager: Docker.Container, probe: Docker.Container | undefined, listenAt: (host: string) => Promise<string | undefined>): Promise<PathCheck> {
  const hostGateway = await hostGatewayIn(alertmanager).catch(() => undefined);
  if (!hostGateway) return { problem: 'the Alertmanager container has no host.docker.internal entry in /etc/hosts: its notifications cannot reach the app' };
  const url = await listenAt(hostGateway);
  if (!url) {
    return { hostGateway, reached: false, problem: `the app cannot listen on ${hostGateway}, where the engine sends host.docker.internal (a rootless engine or Podman?), so it asks Alertmanager for its alerts every 10 s instead` };
  }
  if (!probe) return { hostGateway };
  const r = await reachFrom(probe, url).catch((err: unknown) => ({ ok: false, why: `the check could not run in the API's container: ${err instanceof Error ? err.message : String(err)}` }));
  return { hostGateway, reached: r.ok, ...(r.why ? { problem: r.why } : {}) };
}

/** Alertmanager's webhook counters from its /metrics text (every webhook receiver summed). */
export function webhookCounters(metrics: string): { sent: number; failed: number } {
  const sum = (name: string) => metrics.split('\n')
    .filter((l) => l.startsWith(`${name}{`) && /integration="webhook"/.test(l))
    .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
  return { sent: sum('alertmanager_notifications_total'), failed: sum('alertmanager_notifications_failed_total') };
}

/** The last "Notify attempt failed" (or "Notify for alerts failed") line of Alertmanager's log: when, and its own words. */
export function lastDeliveryError(log: string): { at: string; message: string } | undefined {
  const lines = log.split('\n').filter((l) => /msg="Notify (attempt|for alerts) failed/.test(l));
  const last = lines.pop();
  if (!last) return undefined;
  const at = /\bts=(\S+)/.exec(last)?.[1] ?? '';
  const err = /\berr="((?:[^"\\]|\\.)*)"/.exec(last)?.[1]?.replace(/\\"/g, '"') ?? last;
  return { at, message: err };
}

/** Alertmanager's last delivery error, from the tail of its container's log. */
export async function lastDeliveryErrorIn(container: Docker.Container): Promise<{ at: string; message: string } | undefined> {
  const lines: string[] = [];
  for await (const l of containerLines(container, 'alertmanager', { tail: 500 })) lines.push(l.text);
  return lastDeliveryError(lines.join('\n'));
}

export interface WebhookDelivery { sent: number; failed: number; lastError?: { at: string; message: string }; failing: boolean }

/** The last error read per Alertmanager container, with the failure count it was read at: the log is read again only when that count moves. */
const errorsRead = new Map<string, { failed: number; lastError?: { at: string; message: string } }>();

/**
 * Alertmanager's webhook deliveries (its /metrics at `base`) and, when any failed, its last
 * delivery error (from `container`'s log). `failing`: that error came after the last notification
 * the receiver took (`lastReceivedAt`; undefined where no receiver here could tell, as in a
 * terminal: then any logged failure counts). Undefined when Alertmanager does not answer.
 */
export async function webhookDelivery(base: string, container: Docker.Container | undefined, lastReceivedAt?: number): Promise<WebhookDelivery | undefined> {
  // fetchWithin adds the stack's credentials for Alertmanager's origin.
  const res = await fetchWithin(`${base}/metrics`, 5000).catch(() => undefined);
  if (!res?.ok) return undefined;
  const counters = webhookCounters(await res.text());
  let lastError: { at: string; message: string } | undefined;
  if (counters.failed > 0 && container) {
    const read = errorsRead.get(container.id);
    if (read?.failed === counters.failed) {
      lastError = read.lastError;
    } else {
      lastError = await lastDeliveryErrorIn(container).catch(() => undefined);
      errorsRead.clear(); // one Alertmanager at a time
      errorsRead.set(container.id, { failed: counters.failed, ...(lastError ? { lastError } : {}) });
    }
  }
  const errorAt = lastError ? Date.parse(lastError.at) : NaN;
  const failing = lastError !== undefined && (lastReceivedAt === undefined || (Number.isFinite(errorAt) && errorAt > lastReceivedAt));
  return { ...counters, ...(lastError ? { lastError } : {}), failing };
}

export interface PipelineHop { hop: 'rules' | 'Prometheus → Alertmanager' | 'Alertmanager → Obsdeck'; ok: boolean; message: string }

/**
 * The alert path's hops as Prometheus' own metrics tell them (it scrapes itself): rule
 * evaluations failing, no Alertmanager discovered, alerts failing to reach it, each over the last
 * 5 minutes; then Alertmanager's webhook deliveries. A hop with no data says so and counts as ok.
 */
export async function pipelineHops(prometheus: PrometheusClient, webhook: WebhookDelivery | undefined): Promise<PipelineHop[]> {
  const v = (expr: string) => prometheus.value(expr).catch(() => undefined);
  // Over the last 5 minutes; in a Prometheus younger than two scrapes, the counter as it stands.
  const counted = async (metric: string) => (await v(`sum(increase(${metric}[5m]))`)) ?? (await v(`sum(${metric})`));
  const [ruleFailures, discovered, errors, dropped] = await Promise.all([
    counted('prometheus_rule_evaluation_failures_total'),
    v('max(prometheus_notifications_alertmanagers_discovered)'),
    counted('prometheus_notifications_errors_total'),
    counted('prometheus_notifications_dropped_total'),
  ]);
  const n = (x: number | undefined) => Math.round(x ?? 0);
  const hops: PipelineHop[] = [
    n(ruleFailures) > 0
      ? { hop: 'rules', ok: false, message: `${n(ruleFailures)} rule evaluations failed in the last 5 minutes (the Alerts view's rules say which)` }
      : { hop: 'rules', ok: true, message: ruleFailures === undefined ? 'no data yet' : 'every rule evaluates' },
    discovered !== undefined && discovered < 1
      ? { hop: 'Prometheus → Alertmanager', ok: false, message: 'Prometheus has discovered no Alertmanager to send alerts to (prometheus.yml\'s alerting section)' }
      : n(errors) + n(dropped) > 0
        ? { hop: 'Prometheus → Alertmanager', ok: false, message: `${n(errors)} errors sending alerts to Alertmanager and ${n(dropped)} alerts dropped in the last 5 minutes` }
        : { hop: 'Prometheus → Alertmanager', ok: true, message: discovered === undefined ? 'no data yet' : `${n(discovered)} Alertmanager discovered, no errors` },
  ];
  if (webhook) {
    hops.push(webhook.failing
      ? { hop: 'Alertmanager → Obsdeck', ok: false, message: `${webhook.failed} of ${webhook.sent} webhook notifications failed: ${webhook.lastError?.message ?? 'no error logged'}` }
      : { hop: 'Alertmanager → Obsdeck', ok: true, message: `${webhook.sent} webhook notifications sent, ${webhook.failed} failed` });
  }
  return hops;
}
