// The one hook for requests (after Prometheus' useAPIQuery): a request that runs when its
// arguments change and, if asked, again every `everyMs`; its last answer, its error as a
// ClientError, and nothing applied after the page unmounts or the arguments change. useAction
// is its one-shot sibling for buttons: busy while it runs, the error kept for the page to show.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Channel, Replies, RequestArgs } from '../../main/contract';
import { useClient } from '../state/app';
import { asClientError, type ClientError } from './client';

export interface RequestState<T, A> {
  data: T | undefined;
  /** The arguments the data answers (a sliding time window's, say). */
  args: A | undefined;
  error: ClientError | undefined;
  /** When the last answer (or error) came, in ms since the epoch. */
  at: number | undefined;
  loading: boolean;
  /** Runs the request again now. */
  refetch: () => void;
}

/**
 * `args` undefined: not now (the request waits until the page has what it needs). A function
 * is asked for the arguments at each run (a window ending now); `key` then says when it changed.
 */
export function useRequest<C extends Channel>(channel: C, args: RequestArgs<C> | (() => RequestArgs<C> | undefined) | undefined, opts: { everyMs?: number; key?: string } = {}): RequestState<Replies[C], RequestArgs<C>> {
  const client = useClient();
  type State = Omit<RequestState<Replies[C], RequestArgs<C>>, 'refetch'>;
  const [state, setState] = useState<State>({ data: undefined, args: undefined, error: undefined, at: undefined, loading: args !== undefined });
  const [tick, setTick] = useState(0);
  const key = typeof args === 'function' ? opts.key ?? '' : args === undefined ? undefined : JSON.stringify(args);
  const argsRef = useRef(args);
  argsRef.current = args;
  useEffect(() => {
    if (key === undefined) return;
    let live = true;
    const load = () => {
      const given = argsRef.current;
      const now = typeof given === 'function' ? given() : given;
      if (now === undefined) return;
      setState((st) => ({ ...st, loading: true }));
      client.request(channel, now).then(
        (data) => live && setState({ data, args: now, error: undefined, at: Date.now(), loading: false }),
        (e: unknown) => live && setState((st) => ({ ...st, error: asClientError(e), at: Date.now(), loading: false })),
      );
    };
    load();
    const timer = opts.everyMs ? setInterval(load, opts.everyMs) : undefined;
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [client, channel, key, opts.everyMs, tick]);
  const refetch = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, refetch };
}

/**
 * Runs one action at a time: `run(name, work)` marks `busy` with the name until it settles and
 * keeps its error; `clear()` forgets the error. Nothing is set after the page unmounts.
 */
export function useAction(): { busy: string | undefined; error: ClientError | undefined; run: <T>(name: string, work: () => Promise<T>) => Promise<T | undefined>; clear: () => void } {
  const [busy, setBusy] = useState<string | undefined>();
  const [error, setError] = useState<ClientError | undefined>();
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);
  const run = useCallback(async <T,>(name: string, work: () => Promise<T>): Promise<T | undefined> => {
    setBusy(name);
    setError(undefined);
    try {
      return await work();
    } catch (e) {
      if (mounted.current) setError(asClientError(e));
      return undefined;
    } finally {
      if (mounted.current) setBusy(undefined);
    }
  }, []);
  const clear = useCallback(() => setError(undefined), []);
  return { busy, error, run, clear };
}
