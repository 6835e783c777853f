// The alert path as the runtime sees it: after Start (and when the app finds a running stack),
// the receiver is moved to where the engine put host.docker.internal for Alertmanager, and a
// request from the stack's network proves it arrives; the Alerts view's delivery health comes
// from Alertmanager's own counters and log. The checks live in alerts/path.ts; this file only
// finds the containers and the receiver they concern.
import type Docker from 'dockerode';
import { checkPath, webhookDelivery, type WebhookDelivery } from '../alerts/path.js';
import { askAlertmanager, runPathTest } from '../alerts/path-test.js';
import { WATCHDOG, WEBHOOK_PATH } from '../alerts/receiver.js';
import type { AlertNotice, PathTestResult } from '../contract.js';
import type { AlertReceiver } from '../alerts/receiver.js';
import type { AlertmanagerClient, PrometheusClient } from '../prom/client.js';
import type { Stack } from '../stack/stack.js';
import type { Target } from '../target/target.js';

/** What the alert path reads of the app's runtime (runtime.ts's Runtime is one). */
export interface AlertPathHost {
  readonly receiver: AlertReceiver;
  maybeStack(): Stack | undefined;
  stack(): Stack;
  target(): Target;
  published(service: string): string;
  prometheus(): PrometheusClient;
  alertmanager(): AlertmanagerClient;
  pollAlerts(): Promise<void>;
  emit(event: 'alerts:notice', payload: AlertNotice): void;
}

/** A running container of `service` in the open stack, on whichever target it runs. */
function runningContainer(rt: AlertPathHost, service: string): Promise<Docker.Container | undefined> {
  return rt.maybeStack() ? rt.target().container(service) : Promise.resolve(undefined);
}

/**
 * Checks the path from Alertmanager to the receiver and moves the receiver where the engine
 * says host.docker.internal is, when that differs from where it listens. Does nothing where the
 * app polls instead (a remote engine) or hosts no receiver.
 */
export async function verifyAlertPath(rt: AlertPathHost): Promise<void> {
  const receiver = rt.receiver;
  const at = receiver.address();
  if (receiver.pollingEveryS || !at) return;
  const am = await runningContainer(rt, 'alertmanager').catch(() => undefined);
  if (!am) return;
  const probe = await runningContainer(rt, 'api_poc3').catch(() => undefined);
  const check = await checkPath(am, probe, async (host) => {
    if (host !== at.host) {
      const state = await receiver.listen(host, at.port);
      if (!state.listening) return undefined;
    }
    return `http://${host}:${at.port}${WEBHOOK_PATH}`;
  });
  receiver.path = { checkedAt: new Date().toISOString(), ...check };
  // Where the app cannot listen at all, it asks Alertmanager instead (the Alerts view says so).
  if (check.hostGateway && !receiver.address()) await rt.pollAlerts();
}

/** Alertmanager's webhook deliveries and its last delivery error, for the Alerts view; undefined when Alertmanager does not answer. */
export async function deliveryHealth(rt: AlertPathHost): Promise<WebhookDelivery | undefined> {
  const am = await runningContainer(rt, 'alertmanager').catch(() => undefined);
  return webhookDelivery(rt.published('alertmanager'), am, rt.receiver.lastReceivedAt);
}

/** The alert path test from the app: its own receiver, or Alertmanager's list where the app polls. */
export async function testAlertPath(rt: AlertPathHost): Promise<PathTestResult> {
  const stack = rt.stack();
  const am = rt.alertmanager();
  const polling = rt.receiver.pollingEveryS !== undefined;
  return runPathTest({
    alertmanager: am,
    ...askAlertmanager(stack.docker, stack.service('alertmanager').image, am, () => runningContainer(rt, 'alertmanager')),
    seen: async (fp) => {
      if (!polling) return rt.receiver.pathTestSeen(fp);
      const listed = (await am.alerts()).find((a) => a.fingerprint === fp && a.status.state === 'active');
      return listed ? { firing: new Date().toISOString() } : { resolved: new Date().toISOString() };
    },
  });
}

/** No heartbeat for this long (Alertmanager repeats the Watchdog every minute) means the path is down. */
export const HEARTBEAT_STALE_MS = 5 * 60_000;

/**
 * The Watchdog's heartbeat as the Alerts view shows it: stale when Prometheus has the Watchdog
 * firing (the rule exists and runs) for longer than HEARTBEAT_STALE_MS and no notification of it
 * reached the receiver for as long. Undefined where it says nothing (no webhook, no Watchdog).
 */
export async function heartbeat(rt: AlertPathHost, now = Date.now()): Promise<{ lastAt?: string; stale: boolean } | undefined> {
  const r = rt.receiver;
  if (r.pollingEveryS || !r.address()) return undefined;
  const { alerts } = await rt.prometheus().alerts();
  const watchdog = alerts.find((a) => a.labels.alertname === WATCHDOG && a.state === 'firing');
  if (!watchdog) return undefined;
  const since = Math.max(r.lastHeartbeatAt ?? 0, r.listeningSince ?? 0, Date.parse(watchdog.activeAt ?? '') || 0);
  return { ...(r.lastHeartbeatAt ? { lastAt: new Date(r.lastHeartbeatAt).toISOString() } : {}), stale: now - since > HEARTBEAT_STALE_MS };
}

/**
 * Checks the heartbeat every 30 s; when it goes stale, every session gets an AlertPathDown notice
 * (a desktop notification in the app), and a resolved one when it comes back.
 */
export function watchHeartbeat(rt: AlertPathHost): NodeJS.Timeout {
  let down = false;
  const notice = (status: 'firing' | 'resolved'): AlertNotice => ({
    fingerprint: 'obsdeck-alert-path', status, alertname: 'AlertPathDown', severity: 'critical', labels: { alertname: 'AlertPathDown', severity: 'critical' },
    summary: status === 'firing' ? 'Alert notifications no longer reach Obsdeck' : 'Alert notifications reach Obsdeck again',
    description: 'The Watchdog rule always fires and Alertmanager repeats it every minute; for 5 minutes none of its notifications arrived. The Alerts view says which hop fails.',
    startsAt: new Date().toISOString(), receivedAt: new Date().toISOString(),
  });
  const timer = setInterval(() => {
    void heartbeat(rt).then((h) => {
      const stale = h?.stale === true;
      if (stale !== down) rt.emit('alerts:notice', notice(stale ? 'firing' : 'resolved'));
      down = stale;
    }, () => undefined);
  }, 30_000);
  timer.unref();
  return timer;
}
