// fetch() with a deadline that keeps the process alive while it waits. AbortSignal.timeout()
// uses an unref'd timer: a request stuck in connect (a published port whose container is not
// listening yet) then leaves nothing to keep Node running, and a CLI exits mid-wait.
//
// It also carries the stack's credentials: like a browser's credential store, an origin that
// was given an Authorization header (Prometheus' and Alertmanager's published ports, by
// config/project.ts) gets it on every request made to it, and no other origin ever sees it;
// nor that origin while the app knows its service does not hold the port (stopped, died, or its
// SSH forward not bound): whoever binds a free port on 127.0.0.1 would receive them.
const credentials = new Map<string, { authorization: string; held: boolean }>();

/** Every request to `origin` (scheme, host and port) carries `authorization` from now on (while held). */
export function useCredentials(origin: string, authorization: string): void {
  const key = new URL(origin).origin;
  credentials.set(key, { authorization, held: credentials.get(key)?.held ?? true });
}

/**
 * Whether `origin`'s service holds its port now (the app's runtime says so from the engine's
 * events): while it does not, requests to it carry no credentials.
 */
export function holdCredentials(origin: string, held: boolean): void {
  const entry = credentials.get(new URL(origin).origin);
  if (entry) entry.held = held;
}

function withCredentials(url: string, init: RequestInit, ours: boolean): RequestInit {
  let origin: string;
  try {
    origin = new URL(url).origin;
  } catch {
    return init;
  }
  const entry = credentials.get(origin);
  if (!entry || (!entry.held && !ours)) return init;
  const headers = new Headers(init.headers);
  if (!headers.has('authorization')) headers.set('authorization', entry.authorization);
  return { ...init, headers };
}

/**
 * `opts.ours`: the caller has just seen its own container (or Swarm gateway) running on that port
 * (a readiness probe), so the credentials go whatever the app's last word on the port was.
 */
export async function fetchWithin(url: string, ms: number, given: RequestInit = {}, opts: { ours?: boolean } = {}): Promise<Response> {
  const init = withCredentials(url, given, opts.ours === true);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException(`no answer within ${ms} ms`, 'TimeoutError')), ms);
  const outer = init.signal;
  const onOuter = () => controller.abort(outer?.reason);
  outer?.addEventListener('abort', onOuter, { once: true });
  try {
    const res = await fetch(url, { ...init, signal: controller.signal });
    // The body is read by the caller; the deadline covers the headers.
    return res;
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', onOuter);
  }
}
