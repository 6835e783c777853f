// Prometheus reads: targets, the charts' range queries, and the explorer's read-only API calls.
import { promRead, rangeQueries, targetList } from '../../prom/read.js';
import type { Handlers } from '../router.js';
import type { Runtime } from '../runtime.js';

export function promHandlers(rt: Runtime) {
  return {
    'targets:list': () => targetList(rt.prometheus()),
    'metrics:range': (q) => rangeQueries(rt.prometheus(), q),
    'prom:read': ({ path, params }) => promRead(rt.published('prometheus'), path, params),
  } satisfies Partial<Handlers>;
}
