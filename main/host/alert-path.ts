// The alert path as the runtime sees it: after Start (and when the app finds a running stack),
// the receiver is moved to where the engine put host.docker.internal for Alertmanager, and a
// request from the stack's network proves it arrives; the Alerts view's delivery health comes
// from Alertmanager's own counters and log. The checks live in alerts/path.ts; this file only
// finds the containers and the receiver they concern.
import type Docker from 'dockerode';
import { checkPath, lastDeliveryError, webhookCounters } from '../alerts/path.js';
import { WEBHOOK_PATH } from '../alerts/receiver.js';
import { fetchWithin } from '../prom/fetch.js';
import type { Runtime } from './runtime.js';

/** A running container of `service` in the open stack, on either target. */
async function runningContainer(rt: Runtime, service: string): Promise<Docker.Container | undefined> {
  const stack = rt.maybeStack();
  if (!stack) return undefined;
  if (rt.onSwarm) {
    const list = await stack.docker.listContainers({ filters: { label: [`com.docker.swarm.service.name=${rt.swarm().serviceName(service)}`], status: ['running'] } });
    return list[0] ? stack.docker.getContainer(list[0].Id) : undefined;
  }
  const info = (await stack.containers()).get(service);
  return info?.State === 'running' ? stack.docker.getContainer(info.Id) : undefined;
}

/**
 * Checks the path from Alertmanager to the receiver and moves the receiver where the engine
 * says host.docker.internal is, when that differs from where it listens. Does nothing where the
 * app polls instead (a remote engine) or hosts no receiver.
 */
export async function verifyAlertPath(rt: Runtime): Promise<void> {
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
export async function deliveryHealth(rt: Runtime): Promise<{ sent: number; failed: number; lastError?: { at: string; message: string }; failing: boolean } | undefined> {
  // fetchWithin adds the stack's credentials for Alertmanager's origin.
  const res = await fetchWithin(`${rt.published('alertmanager')}/metrics`, 5000).catch(() => undefined);
  if (!res?.ok) return undefined;
  const counters = webhookCounters(await res.text());
  const am = await runningContainer(rt, 'alertmanager').catch(() => undefined);
  const log = am ? await am.logs({ stdout: true, stderr: true, tail: 500, follow: false }).then((b) => demuxed(b)).catch(() => '') : '';
  const lastError = counters.failed > 0 ? lastDeliveryError(log) : undefined;
  const errorAt = lastError ? Date.parse(lastError.at) : NaN;
  const failing = lastError !== undefined && (rt.receiver.lastReceivedAt === undefined || (Number.isFinite(errorAt) && errorAt > rt.receiver.lastReceivedAt));
  return { ...counters, ...(lastError ? { lastError } : {}), failing };
}

/** The text of a non-TTY container's log (8-byte frame headers stripped). */
function demuxed(buf: Buffer): string {
  const out: Buffer[] = [];
  let i = 0;
  while (i + 8 <= buf.length) {
    const size = buf.readUInt32BE(i + 4);
    out.push(buf.subarray(i + 8, i + 8 + size));
    i += 8 + size;
  }
  return Buffer.concat(out).toString('utf8');
}
