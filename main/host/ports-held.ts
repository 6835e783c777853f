// Credentials go to a service's published port only while the stack holds it: its container (on
// Swarm, a task behind the gateway) runs and, for a remote engine, this app's SSH forward is bound
// there. A stopped service's port on 127.0.0.1 is free, and any process may bind it and collect
// the stack's Basic credentials (prom/fetch.ts holds them per origin).
import type { ServiceStatus } from '../contract.js';
import { holdCredentials, useCredentials } from '../prom/fetch.js';
import { AUTH_LABEL, serviceBase, type PortSpec, type ServiceSpec } from '../stack/compose.js';
import { processHolding } from '../stack/ports.js';

function hold(specs: ServiceSpec[], service: string, held: boolean): void {
  const s = specs.find((x) => x.name === service);
  const base = s && serviceBase(s);
  if (base) holdCredentials(base, held);
}

/** The app's runtime: the holds follow its stack, statuses and forwards. */
export class PortHolds {
  private readonly held = new Map<string, boolean>();

  constructor(private readonly of: { specs(): ServiceSpec[]; statuses(): ServiceStatus[]; forwarded(): number[] | undefined }) {}

  /** Whether `service` holds its port now, as far as the app knows (the traffic generator asks before each request). */
  holds(service: string): boolean {
    return this.held.get(service) === true;
  }

  private set(specs: ServiceSpec[], service: string, held: boolean): void {
    this.held.set(service, held);
    hold(specs, service, held);
  }

  /** `services` (every one when empty) give up their ports now: before a stop, or on a die event. */
  release(services: string[]): void {
    const specs = this.of.specs();
    for (const s of specs) if (!services.length || services.includes(s.name)) this.set(specs, s.name, false);
  }

  /** After each status change: held while running and, when ports are forwarded, while its forward is bound. */
  sync(): void {
    const specs = this.of.specs();
    const forwarded = this.of.forwarded();
    const bound = forwarded && new Set(forwarded);
    for (const st of this.of.statuses()) {
      const hostPort = st.ports[0]?.hostPort ?? specs.find((s) => s.name === st.service)?.ports[0]?.hostPort;
      this.set(specs, st.service, st.state === 'running' && (!bound || (hostPort !== undefined && bound.has(hostPort))));
    }
  }

  /** A stop, down or restart of `services`: withheld before it begins; if it fails, the holds follow the status again. */
  async givingUp<T>(services: string[], work: () => Promise<T>): Promise<T> {
    this.release(services);
    try {
      return await work();
    } catch (err) {
      this.sync();
      throw err;
    }
  }
}

function missingForwards(specs: ServiceSpec[], wanted: string[], forwarded: number[]): { service: string; port: number }[] {
  const bound = new Set(forwarded);
  return specs
    .filter((s) => !wanted.length || wanted.includes(s.name))
    .flatMap((s) => s.ports.filter((p) => !bound.has(p.hostPort)).map((p) => ({ service: s.name, port: p.hostPort })));
}

/**
 * Why a Start of `wanted` (every service when empty) is refused on a remote engine: a port it
 * publishes that this app's SSH forward does not hold here, with why (`why`, by port), or
 * undefined. The service would run there and be unreachable here.
 */
export function forwardRefusal(specs: ServiceSpec[], wanted: string[], forwarded: number[], why: ReadonlyMap<number, string>): string | undefined {
  const missing = missingForwards(specs, wanted, forwarded);
  if (!missing.length) return undefined;
  const named = missing.map(({ service, port }) => `${service}'s port ${port}${why.has(port) ? ` (${why.get(port)})` : ''}`);
  return `cannot forward ${named.join(', ')} from the remote engine to this machine; nothing was started`;
}

/**
 * With a remote engine: `s`'s published `port` is reached here at `local`, its SSH forward. Every
 * URL the app makes for the service follows (serviceBase), and a service behind the stack's Basic
 * credentials gets them at the new origin. Says so when `local` is not the port the user chose
 * (that one is taken here: whoever holds it gets nothing of the stack's).
 */
export function reachThroughForward(s: ServiceSpec, port: PortSpec, local: number, authorization: string): string | undefined {
  port.localPort = local === port.hostPort ? undefined : local;
  const base = serviceBase(s);
  if (base && s.labels[AUTH_LABEL] === 'basic') useCredentials(base, authorization);
  if (port.localPort === undefined) return undefined;
  const who = processHolding(port.hostPort);
  return `this machine's 127.0.0.1:${port.hostPort} is taken${who ? ` by ${who}` : ''}, so ${s.name}'s port ${port.hostPort} on the remote engine is forwarded to 127.0.0.1:${local} here`;
}
