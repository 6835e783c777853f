// The Objectives view: the applied slos.yml's objectives and where each stands on the live
// Prometheus (their budgets, burn rates and the alerts generated for them).
import { appliedFiles, configText } from '../../config/change.js';
import { scrapeIntervalOf } from '../../slo/files.js';
import { readObjectives, SLOS_FILE } from '../../slo/spec.js';
import { objectivesStatus } from '../../slo/status.js';
import type { Handlers } from '../router.js';
import type { Runtime } from '../runtime.js';

export function sloHandlers(rt: Runtime) {
  return {
    'slo:status': async () => {
      const { configDir } = rt.loaded();
      const text = configText(configDir, SLOS_FILE);
      if (!text) return { objectives: [], notes: [`There is no ${SLOS_FILE} in ${configDir} yet: the Config view offers the one Obsdeck ships.`] };
      const { objectives, problems } = readObjectives(text);
      const notes = problems.filter((p) => p.severity === 'error').map((p) => `${p.file}:${p.line ?? 0}:${p.column ?? 0} ${p.message}`);
      if (!objectives.length) return { objectives: [], notes: notes.length ? notes : [`${SLOS_FILE} has no objectives.`] };
      const files = await appliedFiles(rt.maybeStack() ? rt.target().config() : undefined, configDir);
      return { objectives: await objectivesStatus(rt.prometheus(), objectives, scrapeIntervalOf(files['prometheus.yml'])), notes };
    },
  } satisfies Partial<Handlers>;
}
