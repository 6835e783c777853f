// The alert path tested end to end, one hop at a time, as the Alerts view's "Test the alert
// path" and `obsdeck alerts test` run it: a synthetic alert of its own name is sent into
// Alertmanager through its API, routed (observability/alertmanager.yml's first route) to the
// obsdeck receiver only, delivered to the app's webhook, then resolved, leaving nothing firing.
//
// Before anything is sent, Alertmanager's own routing (amtool's `config routes test` on the
// running config) must send the test's labels to obsdeck and nowhere else: a test never pages a
// user's other receivers. A hop that fails says which and why, in Alertmanager's own words.
import crypto from 'node:crypto';
import type { PathTestResult } from '../contract.js';
import type Docker from 'dockerode';
import { runTool } from '../engine/run-tool.js';
import type { AlertmanagerClient } from '../prom/client.js';
import { lastDeliveryErrorIn } from './path.js';
import { PATH_TEST_LABEL } from './receiver.js';

export type Hop = PathTestResult['hops'][number]['hop'];

export interface PathTestDeps {
  alertmanager: AlertmanagerClient;
  /** The receivers Alertmanager's running config routes `labels` to, in order (amtool config routes test). */
  routes: (labels: Record<string, string>) => Promise<string[]>;
  /** Whether the app's receiver saw the alert with this fingerprint firing / resolved (asks whichever process holds the receiver). */
  seen: (fingerprint: string) => Promise<{ firing?: string; resolved?: string } | undefined>;
  /** Alertmanager's last delivery error, for a hop that fails after Alertmanager took the alert. */
  lastError: () => Promise<string | undefined>;
  /** How long a hop may take (default 20 s: a notification retry is 10 s apart). */
  hopTimeoutMs?: number;
  everyMs?: number;
}

/** The labels of a run: its own alert name, so runs never mix, and the label the route matches. */
export function pathTestLabels(run: string): Record<string, string> {
  return { alertname: `ObsdeckPathTest_${run}`, [PATH_TEST_LABEL]: 'true', severity: 'none' };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runPathTest(deps: PathTestDeps, run = crypto.randomBytes(4).toString('hex')): Promise<PathTestResult> {
  const t0 = Date.now();
  const labels = pathTestLabels(run);
  const hops: PathTestResult['hops'] = [];
  const timeout = deps.hopTimeoutMs ?? 20_000;
  const every = deps.everyMs ?? 250;
  const done = (hop: Hop, message: string) => hops.push({ hop, ok: true, afterMs: Date.now() - t0, message });
  const failed = async (hop: Hop, message: string, details?: string): Promise<PathTestResult> => {
    hops.push({ hop, ok: false, afterMs: Date.now() - t0, message });
    return { run, alertname: labels.alertname!, ok: false, hops, problem: `${hop}: ${message}`, ...(details ? { details } : {}) };
  };
  const poll = async <T>(probe: () => Promise<T | undefined>): Promise<T | undefined> => {
    const deadline = Date.now() + timeout;
    for (;;) {
      const v = await probe().catch(() => undefined);
      if (v !== undefined || Date.now() > deadline) return v;
      await sleep(every);
    }
  };

  // 0. Where would it go? Only to obsdeck, or nothing is sent.
  let receivers: string[];
  try {
    receivers = await deps.routes(labels);
  } catch (err) {
    return failed('routes checked', `Alertmanager's routing could not be checked, so nothing was sent: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (receivers.length !== 1 || receivers[0] !== 'obsdeck') {
    return failed('routes checked', `the running alertmanager.yml routes ${PATH_TEST_LABEL}="true" to ${receivers.join(', ') || 'no receiver'}, not to obsdeck alone, so nothing was sent; put the route for ${PATH_TEST_LABEL}="true" (receiver obsdeck, continue: false) first under route.routes, as the shipped file has it`);
  }
  done('routes checked', 'Alertmanager routes the test to obsdeck only');

  // 1. Accepted by Alertmanager.
  const startsAt = new Date();
  const annotations = { summary: 'Obsdeck alert path test', description: 'A synthetic alert sent by Obsdeck to check that notifications reach the app; it resolves itself.' };
  try {
    await deps.alertmanager.postAlerts([{ labels, annotations, startsAt: startsAt.toISOString(), endsAt: new Date(startsAt.getTime() + 5 * 60_000).toISOString() }]);
  } catch (err) {
    return failed('accepted', `Alertmanager did not take the alert: ${err instanceof Error ? err.message : String(err)}`);
  }
  done('accepted', 'Alertmanager took the alert');

  // 2. Routed to obsdeck (as Alertmanager lists it, with its fingerprint).
  const listed = await poll(async () => (await deps.alertmanager.alerts([`alertname="${labels.alertname!}"`]))[0]);
  if (!listed) return failed('routed', 'Alertmanager does not list the alert it took');
  if (!listed.receivers.some((r) => r.name === 'obsdeck')) return failed('routed', `Alertmanager routed it to ${listed.receivers.map((r) => r.name).join(', ')}, not obsdeck`);
  done('routed', `routed to obsdeck (fingerprint ${listed.fingerprint})`);

  const resolve = () => deps.alertmanager.postAlerts([{ labels, annotations, startsAt: startsAt.toISOString(), endsAt: new Date().toISOString() }]).catch(() => undefined);
  // 3. Delivered: the app's receiver saw this run's fingerprint.
  const firing = await poll(async () => (await deps.seen(listed.fingerprint))?.firing);
  if (!firing) {
    await resolve();
    const why = await deps.lastError().catch(() => undefined);
    return failed('delivered', why ? `Alertmanager could not deliver it to the app: ${why}` : `the app's receiver did not get it within ${timeout / 1000} s`, why);
  }
  done('delivered', `the app's receiver got it at ${firing}`);

  // 4. Resolved: nothing left firing, and the resolution delivered too.
  await resolve();
  const gone = await poll(async () => ((await deps.alertmanager.alerts([`alertname="${labels.alertname!}"`])).some((a) => a.status.state === 'active') ? undefined : true));
  if (!gone) return failed('resolved', 'Alertmanager still lists the test alert as active');
  const resolved = await poll(async () => (await deps.seen(listed.fingerprint))?.resolved);
  if (!resolved) return failed('resolved', `Alertmanager resolved it, but the resolution did not reach the app within ${timeout / 1000} s`);
  done('resolved', 'resolved; nothing of the test is firing');
  return { run, alertname: labels.alertname!, ok: true, hops };
}

/** amtool's `config routes test` output (receiver names, comma-separated) as a list. */
export function parseRoutes(stdout: string): string[] {
  return stdout.trim().split('\n').pop()!.split(',').map((x) => x.trim()).filter(Boolean);
}

/** The receivers Alertmanager's config `config` routes `labels` to, by the image's own amtool (no network). */
export async function amtoolRoutes(docker: Docker, image: string, config: string, labels: Record<string, string>): Promise<string[]> {
  const r = await runTool(docker, {
    image, entrypoint: '/bin/amtool',
    args: ['config', 'routes', 'test', '--config.file=/tmp/alertmanager.yml', ...Object.entries(labels).map(([k, v]) => `${k}=${v}`)],
    files: { '/tmp/alertmanager.yml': config },
    timeoutMs: 30_000,
  });
  if (r.exitCode !== 0) throw new Error(`amtool config routes test: ${(r.stderr || r.stdout).trim().split('\n').pop() ?? `exit ${r.exitCode}`}`);
  return parseRoutes(r.stdout);
}

/**
 * The path test's questions to Alertmanager itself: where its running config routes labels (the
 * image's amtool), and its last delivery error (its container's log), for the app and the CLI alike.
 */
export function askAlertmanager(docker: Docker, image: string, alertmanager: AlertmanagerClient, container: () => Promise<Docker.Container | undefined>): Pick<PathTestDeps, 'routes' | 'lastError'> {
  return {
    routes: async (labels) => amtoolRoutes(docker, image, (await alertmanager.status()).config.original, labels),
    lastError: async () => {
      const c = await container();
      return c ? (await lastDeliveryErrorIn(c))?.message : undefined;
    },
  };
}
