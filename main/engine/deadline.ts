// One engine-call layer with deadlines, under both targets: every call through the returned
// client (and through the objects it hands out: a service, a container, a network, a config…)
// gets a deadline, so a hung daemon fails the step that called it with a TimeoutError naming the
// call, instead of holding the stack's lock for ever. A container stop or restart gets its grace
// period on top. A call that returns a stream (logs, pull, build, load) is bounded until the
// stream starts; a progress stream is then bounded by idleness (followProgress below), so a pull,
// build or image load is never cut off while it progresses. `wait()` (which waits for a container
// to exit) and the uploads of a build context or an image tarball (their answer comes only once
// the whole body is sent) are left to their progress streams.
import type Docker from 'dockerode';
import { TimeoutError, within } from './timeout.js';

/** Methods that hand out another engine object (whose calls are then bounded as well). */
const HANDLES = new Set(['getContainer', 'getService', 'getNetwork', 'getImage', 'getVolume', 'getConfig', 'getSecret', 'getTask', 'getNode', 'getExec', 'getPlugin']);
/** Calls that last as long as what they wait for or send, by design. */
const UNBOUNDED = new Set(['wait', 'buildImage', 'loadImage', 'importImage']);
/** Calls whose options carry a grace period in seconds (`t`), added to the deadline. */
const GRACE = new Set(['stop', 'restart']);
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
        const grace = GRACE.has(prop) ? Number((args[0] as { t?: unknown } | undefined)?.t) || 0 : 0;
        return within(out, ms + grace * 1000, `${kind} ${prop}${id}`.trim());
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

/** How long a progress stream may stay silent: OBSDECK_ENGINE_IDLE_MS, else 2 min (a layer's extraction can be quiet for a while). */
export function engineIdleMs(): number {
  return Number(process.env.OBSDECK_ENGINE_IDLE_MS) || 120_000;
}

/**
 * `what`'s TimeoutError under a step's own name ("starting prometheus" rather than "container
 * start"), for the steps the containers target reports; other errors pass unchanged.
 */
export async function named<T>(what: string, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof TimeoutError) throw new TimeoutError(err.message.replace(/\(([^()]*)\); it may be/, `(${what}); it may be`));
    throw err;
  }
}

/**
 * Cuts `stream` off with a TimeoutError once nothing has come through it for `idleMs`; resolves
 * with `done`'s outcome otherwise. The timer restarts on every chunk.
 */
export function idleBounded<T>(stream: NodeJS.ReadableStream, done: Promise<T>, what: string, idleMs = engineIdleMs()): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
        reject(new TimeoutError(`the Docker engine sent nothing for ${idleMs >= 1000 ? `${Math.round(idleMs / 1000)} s` : `${idleMs} ms`} (${what}); it may be hung or overloaded`));
      }, idleMs);
    };
    arm();
    stream.on('data', arm);
  });
  return Promise.race([done, expired]).finally(() => clearTimeout(timer));
}

/**
 * Docker's progress stream (pull, build, load) read to its end: every event to `onEvent`, all of
 * them at the end; cut off after `idleMs` without a byte.
 */
export function followProgress<E>(docker: Docker, stream: NodeJS.ReadableStream, what: string, onEvent?: (e: E) => void, idleMs?: number): Promise<E[]> {
  const done = new Promise<E[]>((resolve, reject) => {
    docker.modem.followProgress(stream, (err: Error | null, events: E[]) => (err ? reject(err) : resolve(events)), onEvent);
  });
  return idleBounded(stream, done, what, idleMs);
}
