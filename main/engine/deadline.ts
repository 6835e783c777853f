// One engine-call layer with deadlines: every call through the returned client (and through the
// objects it hands out: a service, a container, a network, a config…) gets a deadline, so a hung
// daemon fails the step that called it with a TimeoutError naming the call, instead of holding
// the stack's lock for ever. A call that returns a stream (logs, pull, build, load) is bounded
// until the stream starts; what it carries afterwards is the caller's to bound. `wait()` (which
// waits for a container to exit) is left alone.
import type Docker from 'dockerode';
import { within } from './timeout.js';

/** Methods that hand out another engine object (whose calls are then bounded as well). */
const HANDLES = new Set(['getContainer', 'getService', 'getNetwork', 'getImage', 'getVolume', 'getConfig', 'getSecret', 'getTask', 'getNode', 'getExec', 'getPlugin']);
/** Calls that last as long as what they wait for, by design. */
const UNBOUNDED = new Set(['wait']);
const WRAPPED = Symbol('deadline');

function bound<T extends object>(target: T, ms: number, kind: string): T {
  return new Proxy(target, {
    get(obj, prop, receiver) {
      if (prop === WRAPPED) return true;
      const value: unknown = Reflect.get(obj, prop, receiver);
      if (typeof value !== 'function' || typeof prop !== 'string' || prop === 'constructor') return value;
      const fn = value as (...args: unknown[]) => unknown;
      return (...args: unknown[]) => {
        const out = fn.apply(obj, args);
        if (HANDLES.has(prop) && out && typeof out === 'object') return bound(out, ms, prop.slice(3).toLowerCase());
        if (UNBOUNDED.has(prop) || !(out instanceof Promise)) return out;
        const id = typeof args[0] === 'string' ? ` ${args[0]}` : '';
        return within(out, ms, `${kind} ${prop}${id}`.trim());
      };
    },
  });
}

/** `docker`, with a deadline of `ms` on every call (made again only once). */
export function withDeadlines(docker: Docker, ms: number): Docker {
  if ((docker as unknown as Record<symbol, unknown>)[WRAPPED]) return docker;
  return bound(docker, ms, 'docker');
}

/** The engine-call deadline: OBSDECK_ENGINE_TIMEOUT_MS, else 30 s (90 s for a remote engine over SSH). */
export function engineDeadlineMs(remote = false, override?: number): number {
  return override ?? (Number(process.env.OBSDECK_ENGINE_TIMEOUT_MS) || (remote ? 90_000 : 30_000));
}
