// The Alerts view's one answer: Prometheus' firing and pending alerts with their rule's
// expression and the compose service behind each, marked with the Alertmanager silences that
// cover them, plus the silences and Alertmanager's notification groups.
import type { AlertsSnapshot } from '../contract.js';
import type { Alert, AlertmanagerClient, AmAlert, PrometheusClient, Silence } from '../prom/client.js';
import { PrometheusUnreachable } from '../prom/read.js';
import { WATCHDOG } from './receiver.js';

/** The compose service of a scrape target's instance ("api_poc3:8083"; Prometheus scrapes itself as localhost). */
export function serviceOfInstance(instance: string): string {
  const host = instance.split(':')[0] ?? '';
  return host === 'localhost' ? 'prometheus' : host;
}

/**
 * `onAlertmanager` gets Alertmanager's own alerts when it answered (the receiver ends the
 * notices of those it reports silenced). An unreachable Alertmanager is a flag, not an error.
 */
export async function alertsOverview(prometheus: () => PrometheusClient, alertmanager: () => AlertmanagerClient, onAlertmanager: (alerts: AmAlert[]) => void): Promise<AlertsSnapshot> {
  let prom: (Alert & { expr: string })[];
  let rules: AlertsSnapshot['rules'];
  const services = new Map<string, string>();
  try {
    const client = prometheus();
    const [{ groups }, { activeTargets }] = await Promise.all([client.rules(), client.targets('active')]);
    // The Watchdog is the alert path's heartbeat (always firing): shown as such, not as an alert.
    prom = groups.flatMap((g) => g.rules.flatMap((r) => (r.type === 'alerting' && r.name !== WATCHDOG ? r.alerts.map((a) => ({ ...a, expr: r.query })) : [])));
    rules = groups.flatMap((g) => g.rules.flatMap((r) => (r.type === 'alerting' && r.name !== WATCHDOG
      ? [{ name: r.name, group: g.name, expr: r.query, forS: r.duration, state: r.state === 'firing' || r.state === 'pending' ? r.state : 'inactive' as const }]
      : [])));
    for (const t of activeTargets) if (t.labels.job && t.labels.instance) services.set(t.labels.job, serviceOfInstance(t.labels.instance));
  } catch (err) {
    throw new PrometheusUnreachable(err instanceof Error ? err.message : String(err), { cause: err });
  }
  let am: AmAlert[] = [];
  let silences: Silence[] = [];
  let groups: AlertsSnapshot['groups'] = [];
  let reachable = true;
  try {
    const client = alertmanager();
    let raw: Awaited<ReturnType<AlertmanagerClient['groups']>>;
    [am, silences, raw] = await Promise.all([client.alerts(), client.silences(), client.groups()]);
    groups = raw.map((g) => ({
      labels: g.labels, receiver: g.receiver.name, alerts: g.alerts.length,
      active: g.alerts.filter((a) => a.status.state === 'active').length, suppressed: g.alerts.filter((a) => a.status.state === 'suppressed').length,
    }));
    onAlertmanager(am);
  } catch {
    reachable = false;
  }
  // Alertmanager's copy of an alert carries Prometheus' external labels too: match on the alert's own.
  const silencedBy = (labels: Record<string, string>) => am.find((x) => x.status.silencedBy.length && Object.entries(labels).every(([k, v]) => x.labels[k] === v))?.status.silencedBy;
  return {
    alertmanager: reachable,
    groups,
    rules,
    alerts: prom.map((a) => {
      const by = silencedBy(a.labels);
      const service = a.labels.instance ? serviceOfInstance(a.labels.instance) : a.labels.job ? services.get(a.labels.job) : undefined;
      return {
        name: a.labels.alertname ?? '?', state: a.state, labels: a.labels, annotations: a.annotations, value: a.value, expr: a.expr,
        ...(a.activeAt ? { activeAt: a.activeAt } : {}), ...(by ? { silencedBy: by } : {}), ...(service ? { service } : {}),
      };
    }),
    silences: silences.map((x) => ({ id: x.id, matchers: x.matchers, startsAt: x.startsAt, endsAt: x.endsAt, createdBy: x.createdBy, comment: x.comment, state: x.status.state })),
  };
}

/** The fingerprints of the alerts Alertmanager reports silenced. */
export function silencedFingerprints(am: AmAlert[]): string[] {
  return am.filter((a) => a.status.silencedBy.length).map((a) => a.fingerprint);
}
