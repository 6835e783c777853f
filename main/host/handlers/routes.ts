// Alertmanager's routing tree, applied or of a draft, and "who gets this?" for a label set, with
// the active alerts that would mute it (Alertmanager's own list; none when it does not answer).
import { appliedFiles } from '../../config/change.js';
import { routingView } from '../../routes/routes.js';
import type { Handlers } from '../router.js';
import type { Runtime } from '../runtime.js';

export function routesHandlers(rt: Runtime) {
  return {
    'routes:show': async ({ draft, labels }) => {
      const text = draft ?? (await appliedFiles(rt.maybeStack() ? rt.target().config() : undefined, rt.loaded().configDir))['alertmanager.yml'];
      const active = labels ? await Promise.resolve().then(() => rt.alertmanager().alerts()).then((as) => as.filter((a) => a.status.state !== 'unprocessed').map((a) => a.labels), () => []) : [];
      return routingView(text, { draft: draft !== undefined, ...(labels ? { labels, active } : {}) });
    },
  } satisfies Partial<Handlers>;
}
