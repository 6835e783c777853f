// The explorer's query, run when the expression, tab or range change (or Run is pressed again):
// an instant table or a range graph, with how long it took; a late answer for an older query is
// dropped.
import { useEffect, useState } from 'react';
import type { RangeResult } from '../../../main/contract';
import { ClientError } from '../../client/client';
import { instantQuery, PromQueryError, type InstantResult } from '../../client/promapi';
import { RANGES } from '../../lib/timerange';
import { useClient } from '../../state/app';

export type Outcome =
  | { kind: 'table'; data: InstantResult; warnings: string[]; ms: number }
  | { kind: 'graph'; result: RangeResult; window: [number, number]; ms: number }
  | { kind: 'error'; message: string; code?: string };

export function useQuery(expr: string, tab: 'table' | 'graph', range: string, runs: number): { outcome: Outcome | undefined; running: boolean } {
  const client = useClient();
  const [outcome, setOutcome] = useState<Outcome | undefined>();
  const [running, setRunning] = useState(false);
  useEffect(() => {
    if (!expr.trim()) {
      setOutcome(undefined);
      return;
    }
    let stale = false;
    const began = performance.now();
    setRunning(true);
    const settle = (o: Outcome) => {
      if (stale) return;
      setOutcome(o);
      setRunning(false);
    };
    const failed = (e: unknown) => settle({ kind: 'error', message: e instanceof Error ? e.message : String(e), ...(e instanceof ClientError ? { code: e.code } : {}) });
    if (tab === 'table') {
      instantQuery(client, expr).then((r) => settle({ kind: 'table', ...r, ms: performance.now() - began }), failed);
    } else {
      const end = Math.floor(Date.now() / 1000);
      const seconds = RANGES[range]!;
      const step = Math.max(1, Math.ceil(seconds / 500));
      client.request('metrics:range', { exprs: [expr], start: end - seconds, end, step }).then(([r]) => {
        if (r!.error) failed(new PromQueryError('error', r!.error));
        else settle({ kind: 'graph', result: r!, window: [end - seconds, end], ms: performance.now() - began });
      }, failed);
    }
    return () => {
      stale = true;
    };
  }, [client, expr, tab, range, runs]);
  return { outcome, running };
}
