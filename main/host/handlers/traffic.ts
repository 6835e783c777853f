// The traffic generator: its runs, started against the stack's API on this machine and stopped.
import { fail } from '../errors.js';
import { stackApi } from '../../traffic/scenarios.js';
import type { Handlers } from '../router.js';
import type { Runtime } from '../runtime.js';

export function trafficHandlers(rt: Runtime) {
  return {
    'traffic:status': () => rt.traffic.state(),
    'traffic:start': ({ scenario, durationS, rate }) => {
      // The API's passwords go only to a port its container holds now (anything may bind a free one).
      const api = rt.snapshot().services.find((s) => s.service === 'api_poc3');
      if (api?.state !== 'running') fail('BAD_REQUEST', 'the API is not running: Start the stack first (its passwords are sent only to a port the API holds)');
      return rt.traffic.start(scenario, () => stackApi(rt.stack().spec), durationS, rate);
    },
    'traffic:stop': ({ scenario }) => rt.traffic.stop(scenario),
  } satisfies Partial<Handlers>;
}
