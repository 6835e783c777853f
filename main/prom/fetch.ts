// fetch() with a deadline that keeps the process alive while it waits. AbortSignal.timeout()
// uses an unref'd timer: a request stuck in connect (a published port whose container is not
// listening yet) then leaves nothing to keep Node running, and a CLI exits mid-wait.
export async function fetchWithin(url: string, ms: number, init: RequestInit = {}): Promise<Response> {
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
