// fetch() with a deadline that keeps the process alive while it waits. AbortSignal.timeout()
// uses an unref'd timer: a request stuck in connect (a published port whose container is not
// listening yet) then leaves nothing to keep Node running, and a CLI exits mid-wait.
//
// It also carries the stack's credentials: like a browser's credential store, an origin that
// was given an Authorization header (Prometheus' and Alertmanager's published ports, by
// config/project.ts) gets it on every request made to it, and no other origin ever sees it.
const credentials = new Map<string, string>();

/** Every request to `origin` (scheme, host and port) carries `authorization` from now on. */
export function useCredentials(origin: string, authorization: string): void {
  credentials.set(new URL(origin).origin, authorization);
}

function withCredentials(url: string, init: RequestInit): RequestInit {
  let origin: string;
  try {
    origin = new URL(url).origin;
  } catch {
    return init;
  }
  const auth = credentials.get(origin);
  if (!auth) return init;
  const headers = new Headers(init.headers);
  if (!headers.has('authorization')) headers.set('authorization', auth);
  return { ...init, headers };
}

export async function fetchWithin(url: string, ms: number, given: RequestInit = {}): Promise<Response> {
  const init = withCredentials(url, given);
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
