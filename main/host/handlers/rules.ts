// The alert workbench: a rule backtested over the live Prometheus' history (applied, or as a draft
// of the rules file), read against the files Prometheus runs now.
import { appliedRuleFiles, backtest, globalEvaluationInterval } from '../../rules/backtest.js';
import type { Handlers } from '../router.js';
import type { Runtime } from '../runtime.js';

export function rulesHandlers(rt: Runtime) {
  return {
    'rules:backtest': async (req) => {
      const files = await appliedRuleFiles(rt.maybeStack() ? rt.target().config() : undefined, rt.loaded().configDir);
      return backtest(rt.prometheus(), files.rules, req, globalEvaluationInterval(files.prometheus));
    },
  } satisfies Partial<Handlers>;
}
