// Alerts and silences: Prometheus' and Alertmanager's view, the webhook's notices, and silences
// made and expired in Alertmanager (the notices of what a silence covers end at once).
import { alertsOverview, silencedFingerprints } from '../../alerts/overview.js';
import type { AmAlert } from '../../prom/client.js';
import { pipelineHops } from '../../alerts/path.js';
import { deliveryHealth, heartbeat, testAlertPath } from '../alert-path.js';
import { fail } from '../errors.js';
import type { Handlers } from '../router.js';
import type { Runtime } from '../runtime.js';

export function alertsHandlers(rt: Runtime) {
  const unreachable = (err: unknown): never => fail('ALERTMANAGER_UNREACHABLE', err instanceof Error ? err.message : String(err));
  /** Alertmanager sends nothing for a silenced alert: its notice ends when Alertmanager reports it silenced. */
  const endSilenced = (am: AmAlert[]) => rt.receiver.silenced(silencedFingerprints(am));
  return {
    'alerts:list': async () => {
      const overview = await alertsOverview(() => rt.prometheus(), () => rt.alertmanager(), endSilenced);
      const { listening, error, refused, pollingEveryS, path } = rt.receiver.state();
      const [delivery, beat] = await Promise.all([
        pollingEveryS ? undefined : deliveryHealth(rt).catch(() => undefined),
        heartbeat(rt).catch(() => undefined),
      ]);
      const pipeline = await pipelineHops(rt.prometheus(), delivery).catch(() => undefined);
      return {
        ...overview,
        receiver: { ...(listening ? { listening } : {}), ...(error ? { error } : {}), ...(refused ? { refused } : {}), ...(pollingEveryS ? { pollingEveryS } : {}), ...(path ? { path } : {}), ...(delivery ? { delivery } : {}), ...(beat ? { heartbeat: beat } : {}), ...(pipeline ? { pipeline } : {}) },
      };
    },
    'alerts:notices': () => rt.receiver.state(),
    'alerts:test': () => testAlertPath(rt),
    'alerts:history': async ({ since }) => {
      const note = await rt.alertHistory.sync();
      return { ...rt.alertHistory.history().state(since), ...(note ? { note } : {}) };
    },
    'silences:create': async ({ matchers, minutes, comment }) => {
      const id = await rt.alertmanager().createSilence({ matchers, endsAt: new Date(Date.now() + minutes * 60_000).toISOString(), createdBy: 'obsdeck', comment }).catch(unreachable);
      endSilenced(await rt.alertmanager().alerts().catch(() => [])); // Alertmanager decides what the silence covers
      return { id };
    },
    'silences:expire': async ({ id }) => {
      await rt.alertmanager().expireSilence(id).catch(unreachable);
      return { id };
    },
  } satisfies Partial<Handlers>;
}
