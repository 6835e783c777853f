// The traffic generator: its runs, started against the stack's API on this machine and stopped.
import { stackApi } from '../../traffic/scenarios.js';
import type { Handlers } from '../router.js';
import type { Runtime } from '../runtime.js';

export function trafficHandlers(rt: Runtime) {
  return {
    'traffic:status': () => rt.traffic.state(),
    'traffic:start': ({ scenario, durationS, rate }) => rt.traffic.start(scenario, () => stackApi(rt.stack().spec), durationS, rate),
    'traffic:stop': ({ scenario }) => rt.traffic.stop(scenario),
  } satisfies Partial<Handlers>;
}
