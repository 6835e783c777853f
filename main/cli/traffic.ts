// `obsdeck traffic SCENARIO`: the traffic generator against the stack's API.
import { requireRunning } from './context.js';
import { DEFAULTS, LIMITS, runTraffic, SCENARIOS, stackApi, type Scenario } from '../traffic/scenarios.js';
import { dim, green, out } from './output.js';
import { UsageError, type Command, type Parsed } from './table.js';

/** A positive number option, or undefined when not given. */
function positive(values: Parsed['values'], name: string, c: Command): number | undefined {
  const v = values[name];
  if (typeof v !== 'string') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} must be a positive number, got "${v}"`, c);
  return n;
}


export const traffic: Command = {
  name: 'traffic', section: 'Traffic', args: 'SCENARIO',
  help: `send a scenario's requests to this machine's API (bounded: at most ${LIMITS.maxRate} requests/s for ${LIMITS.maxDurationS} s)`,
  options: {
    duration: { type: 'string', value: 'S', help: `how long, in seconds (${DEFAULTS.durationS}, at most ${LIMITS.maxDurationS})` },
    rate: { type: 'string', value: 'N', help: `requests per second (${DEFAULTS.rate}, at most ${LIMITS.maxRate})` },
  },
  more: () => `Scenarios:\n${Object.entries(SCENARIOS).map(([k, v]) => `  ${k.padEnd(12)} ${v}`).join('\n')}`,
  run: async ({ positionals: [scenario], values }) => {
    if (!scenario || !(scenario in SCENARIOS)) {
      throw new UsageError(`${scenario ? `no scenario "${scenario}"; ` : ''}traffic needs a scenario:\n${Object.keys(SCENARIOS).map((k) => `  ${k}`).join('\n')}`, traffic);
    }
    const target = stackApi((await requireRunning('api_poc3', 'The API')).spec);
    const controller = new AbortController();
    process.once('SIGINT', () => controller.abort());
    let shown = 0;
    const counts = (byStatus: Record<string, number>) => Object.entries(byStatus).map(([k, v]) => `${k}: ${v}`).join(', ');
    const stats = await runTraffic(scenario as Scenario, {
      ...target,
      durationS: positive(values, 'duration', traffic),
      rate: positive(values, 'rate', traffic),
      signal: controller.signal,
      onProgress: (st) => {
        if (st.elapsedS - shown < 5) return;
        shown = st.elapsedS;
        out(dim(`  ${st.elapsedS.toFixed(0)} s: ${st.sent} requests (${counts(st.byStatus)})`));
      },
    });
    out(green(`${scenario}: ${stats.sent} requests in ${stats.elapsedS.toFixed(1)} s (${counts(stats.byStatus)})`));
    return 0;
  },
};
