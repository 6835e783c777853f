// A bound on how long the app waits for the engine: a hung daemon shows as an error that says
// so, instead of leaving a request (and the stack's lock) waiting for good.
export class TimeoutError extends Error {}

/** `work`, or a TimeoutError naming `what` once `ms` have passed. */
export async function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`the Docker engine did not answer within ${ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`} (${what}); it may be hung or overloaded`)), ms);
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}
