// Prometheus reads: targets, the charts' range queries, and the explorer's read-only API calls.
import { promRead, rangeQueries, targetList } from '../../prom/read.js';
import type { Handlers } from '../router.js';
import type { Runtime } from '../runtime.js';

export function promHandlers(rt: Runtime) {
  return {
    'targets:list': async () => {
      const targets = await targetList(rt.prometheus());
      if (!rt.onSwarm) return targets;
      // On Swarm each discovered replica is an address on the stack's network: name its task and
      // node from the runtime's polled status (asking the engine again would also probe every service).
      const byAddress = new Map(rt.swarmServices.flatMap((s) => s.tasks.filter((t) => t.desiredState === 'running').flatMap((t) => t.addresses.map((a) => [a, t] as const))));
      return targets.map((t) => {
        const task = byAddress.get((t.labels.instance ?? '').replace(/:\d+$/, ''));
        return task ? { ...t, task: task.name, node: task.node } : t;
      });
    },
    'metrics:range': (q) => rangeQueries(rt.prometheus(), q),
    'prom:read': ({ path, params }) => promRead(rt.published('prometheus'), path, params),
  } satisfies Partial<Handlers>;
}
