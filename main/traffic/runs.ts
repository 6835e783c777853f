// The traffic generator's runs as the app holds them: one per scenario, the running one or the
// last one's totals, each reported about once a second through the given emitter.
import type { TrafficRun, TrafficScenario, TrafficState } from '../contract.js';
import { DEFAULTS, LIMITS, runTraffic, SCENARIOS, TrafficError, type TrafficOptions } from './scenarios.js';

export class TrafficBusy extends Error {}

export class TrafficRuns {
  private readonly runs = new Map<TrafficScenario, { run: TrafficRun; stop: AbortController }>();

  /** `allowed`: whether the API holds its port now (asked before each request). */
  constructor(private readonly emit: (run: TrafficRun) => void, private readonly allowed?: () => boolean) {}

  state(): TrafficState {
    return {
      scenarios: Object.entries(SCENARIOS).map(([name, description]) => ({ name: name as TrafficScenario, description })),
      runs: [...this.runs.values()].map((t) => t.run),
      limits: LIMITS,
    };
  }

  /**
   * Starts a scenario in the background against `target` (asked for only when it starts, so a
   * stack without a published API is refused before anything runs).
   */
  start(scenario: TrafficScenario, target: () => Pick<TrafficOptions, 'base' | 'passwords'>, durationS: number = DEFAULTS.durationS, rate: number = DEFAULTS.rate): TrafficState {
    if (this.runs.get(scenario)?.run.running) throw new TrafficBusy(`${scenario} traffic is already running; stop it first`);
    const to = target();
    const stop = new AbortController();
    const run: TrafficRun = { scenario, running: true, sent: 0, byStatus: {}, elapsedS: 0, durationS, rate };
    this.runs.set(scenario, { run, stop });
    let lastEmit = 0;
    const update = (patch: Partial<TrafficRun>, force = false) => {
      Object.assign(run, patch);
      if (!force && Date.now() - lastEmit < 1000) return;
      lastEmit = Date.now();
      this.emit({ ...run, byStatus: { ...run.byStatus } });
    };
    void runTraffic(scenario, { ...to, durationS, rate, signal: stop.signal, ...(this.allowed ? { allowed: this.allowed } : {}), onProgress: (st) => update({ sent: st.sent, byStatus: st.byStatus, elapsedS: st.elapsedS }) })
      .then((st) => update({ running: false, sent: st.sent, byStatus: st.byStatus, elapsedS: st.elapsedS }, true))
      .catch((err: unknown) => update({ running: false, error: err instanceof Error ? err.message : String(err) }, true));
    this.emit({ ...run });
    return this.state();
  }

  /** Stops one scenario, or every one when none is named. */
  stop(scenario?: TrafficScenario): TrafficState {
    for (const [name, t] of this.runs) if (!scenario || scenario === name) t.stop.abort();
    return this.state();
  }
}

export { TrafficError };
