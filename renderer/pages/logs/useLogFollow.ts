// The Logs view's follow: (re)started whenever the chosen services or the window change; lines
// kept in time order (a container's backlog may arrive after another's newer lines), at most
// MAX_LINES. A line's level and structured fields are read the first time it is shown or
// filtered by them, not on arrival: most lines of a busy follow are never drawn.
import { useEffect, useRef, useState } from 'react';
import type { LogLine } from '../../../main/contract';
import { asClientError, type ClientError } from '../../client/client';
import { insertByTime, type Details } from '../../lib/logtext';
import { useClient } from '../../state/app';

export const MAX_LINES = 100_000;

export interface Row extends LogLine { n: number; /** Filled by details() when first asked. */ details?: Details }

/** `rows` is appended to in place; `version` counts the changes (a dependency for what filters it). */
export function useLogFollow(chosen: string[], window: { tail: string; since: string }): { rows: Row[]; version: number; error?: ClientError } {
  const client = useClient();
  const [error, setError] = useState<ClientError | undefined>();
  const [version, setVersion] = useState(0);
  const rows = useRef<Row[]>([]);
  const counter = useRef(0);
  const { tail, since } = window;

  useEffect(() => {
    rows.current = [];
    setVersion((v) => v + 1);
    setError(undefined);
    const off = client.on('logs:lines', (lines) => {
      for (const l of lines) insertByTime(rows.current, { ...l, n: counter.current++ });
      if (rows.current.length > MAX_LINES * 1.1) rows.current.splice(0, rows.current.length - MAX_LINES);
      setVersion((v) => v + 1);
    });
    const range = since ? { since } : tail === 'start' ? {} : { tail: Number(tail) };
    client.request('logs:follow', { ...(chosen.length ? { services: chosen } : {}), ...range })
      .catch((e: unknown) => setError(asClientError(e)));
    return () => {
      off();
      void client.request('logs:stop', {}).catch(() => undefined);
    };
  }, [client, chosen, tail, since]);

  return { rows: rows.current, version, ...(error ? { error } : {}) };
}
