// Polling helpers for tests that wait on real services.
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
}

export async function httpOk(url: string, headers: Record<string, string> = {}): Promise<true | undefined> {
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(2000) });
  return res.ok ? true : undefined;
}
