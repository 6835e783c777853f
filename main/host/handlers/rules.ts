// The alert workbench: a rule backtested over the live Prometheus' history (applied, or as a draft
// of the rules file), read against the files Prometheus runs now.
import { appliedFiles } from '../../config/change.js';
import { backtest, globalEvaluationInterval } from '../../rules/backtest.js';
import type { Handlers } from '../router.js';
import type { Runtime } from '../runtime.js';

export function rulesHandlers(rt: Runtime) {
  return {
    'rules:backtest': async (req) => {
      const files = await appliedFiles(rt.maybeStack() ? rt.target().config() : undefined, rt.loaded().configDir);
      return backtest(rt.prometheus(), files['prometheus_rules.yml'], req, globalEvaluationInterval(files['prometheus.yml']));
    },
  } satisfies Partial<Handlers>;
}
