// The alert workbench: a rule backtested over the live Prometheus' history (applied, or as a draft
// of the rules file), read against the files Prometheus runs now.
import { applyChange, appliedFiles } from '../../config/change.js';
import { backtest, globalEvaluationInterval } from '../../rules/backtest.js';
import { runRuleTests, testFiles } from '../../rules/tests.js';
import { recordTest } from '../../rules/record.js';
import type { Handlers } from '../router.js';
import type { Runtime } from '../runtime.js';

export function rulesHandlers(rt: Runtime) {
  return {
    'rules:backtest': async (req) => {
      const files = await appliedFiles(rt.maybeStack() ? rt.target().config() : undefined, rt.loaded().configDir);
      return backtest(rt.prometheus(), files['prometheus_rules.yml'], req, globalEvaluationInterval(files['prometheus.yml']));
    },
    'rules:record': async (req) => {
      const { docker, images } = rt.target().config();
      const files = await appliedFiles(rt.target().config(), rt.loaded().configDir);
      const configDir = rt.loaded().configDir;
      // Saved as any change of the config directory is: under the lock, into the history.
      const save = (rel: string, text: string) => rt.lock.run('apply', () => applyChange({ target: rt.target().config(), configDir, history: rt.history(), on: (s) => rt.emit('config:progress', s) }, { [rel]: text }), { wait: true });
      return recordTest(rt.prometheus(), docker, images.prometheus, configDir, files['prometheus_rules.yml'], req, globalEvaluationInterval(files['prometheus.yml']), save);
    },
    'rules:tests': async ({ file, draft }) => {
      const { configDir } = rt.loaded();
      const files = testFiles(configDir);
      const { docker, images } = rt.target().config();
      const results = [];
      for (const f of file ? [file] : files) results.push(await runRuleTests(docker, images.prometheus, configDir, f, draft));
      return { files, results };
    },
  } satisfies Partial<Handlers>;
}
