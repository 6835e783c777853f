// Credentials go to a service's published port only while the stack holds it: its container (on
// Swarm, a task behind the gateway) runs and, for a remote engine, this app's SSH forward is bound
// there. A stopped service's port on 127.0.0.1 is free, and any process may bind it and collect
// the stack's Basic credentials (prom/fetch.ts holds them per origin).
import type { ServiceStatus } from '../contract.js';
import { holdCredentials } from '../prom/fetch.js';
import { serviceBase, type ServiceSpec } from '../stack/compose.js';
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

/**
 * With a remote engine: the published ports of `wanted` (every service when empty) that this
 * app's SSH forward does not hold here, each as "<service>'s port <n>". A Start is refused while
 * there is any: the service would run there and be unreachable here (or something else would
 * answer in its place).
 */
export function unforwarded(specs: ServiceSpec[], wanted: string[], forwarded: number[]): string[] {
  return missingForwards(specs, wanted, forwarded).map((m) => `${m.service}'s port ${m.port}`);
}

function missingForwards(specs: ServiceSpec[], wanted: string[], forwarded: number[]): { service: string; port: number }[] {
  const bound = new Set(forwarded);
  return specs
    .filter((s) => !wanted.length || wanted.includes(s.name))
    .flatMap((s) => s.ports.filter((p) => !bound.has(p.hostPort)).map((p) => ({ service: s.name, port: p.hostPort })));
}

/** Why a Start of `wanted` is refused on a remote engine (a port not forwarded here, and who holds it), or undefined. */
export function forwardRefusal(specs: ServiceSpec[], wanted: string[], forwarded: number[]): string | undefined {
  const missing = missingForwards(specs, wanted, forwarded);
  if (!missing.length) return undefined;
  const held = missing.map(({ service, port }) => {
    const who = processHolding(port);
    return `${service}'s port ${port} (this machine's 127.0.0.1:${port} is taken${who ? ` by ${who}` : ''})`;
  });
  return `cannot forward ${held.join(', ')} from the remote engine: free it here, or change the port in the compose file; nothing was started`;
}
