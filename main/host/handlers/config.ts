// The Config view: the files, Validate of a draft, Apply and Restore through the one change path
// (under the stack's lock, queued behind any other change, steps to every session as
// `config:progress`), and the diff against what the running service holds.
import path from 'node:path';
import { applyChange, configText, restoreEntry, validateDraft, type ChangeContext } from '../../config/change.js';
import { composeProblems } from '../../config/compose-check.js';
import { applyCompose } from '../../config/compose-change.js';
import { dismissOffer } from '../../config/manifest.js';
import { configState } from '../../config/state.js';
import { diffLines, type ConfigFile } from '../../config/store.js';
import { COMPOSE_NAME, composeSource } from '../../config/project.js';
import { ensureCan } from '../../target/target.js';
import { fail } from '../errors.js';
import type { Handlers } from '../router.js';
import type { Runtime } from '../runtime.js';

export function configHandlers(rt: Runtime) {
  const state = () => configState(rt.opts, rt.loaded(), rt.maybeStack(), rt.history(), rt.maybeStack() ? rt.target().config() : undefined);
  const context = (): ChangeContext => ({ target: rt.target().config(), configDir: rt.loaded().configDir, history: rt.history(), on: (s) => rt.emit('config:progress', s) });
  const compose = async (text: string) => {
    const source = composeSource(rt.opts);
    if (rt.maybeStack()) ensureCan(rt.target(), 'compose apply');
    if (!source.editable) fail('BAD_REQUEST', `the stack runs ${source.file} (OBSDECK_COMPOSE_FILE); Obsdeck edits only its own copy of the shipped compose file`);
    const problems = composeProblems(text, rt.opts);
    return rt.lock.run('apply', async () => {
      const stack = rt.maybeStack();
      const running = stack ? [...(await stack.containers())].filter(([, c]) => c.State === 'running').map(([name]) => name) : [];
      return applyCompose(text, {
        copy: path.join(rt.loaded().configDir, COMPOSE_NAME),
        problems,
        running,
        reopen: () => rt.reopen(),
        up: async (s, services) => {
          await s.up(services, (e) => rt.emit('stack:progress', e), { wait: true });
        },
      });
    }, { wait: true });
  };
  return {
    'config:get': state,
    'config:validate': ({ file, text }) => (file === COMPOSE_NAME ? composeProblems(text, rt.opts) : validateDraft(rt.loaded().configDir, { [file]: text }, rt.maybeStack())),
    'config:apply': async ({ file, text }) => {
      if (file === COMPOSE_NAME) return compose(text);
      const entry = await rt.lock.run('apply', () => applyChange(context(), { [file]: text }), { wait: true });
      return { id: entry.id, note: entry.note };
    },
    'config:diff': async ({ file, text }) => {
      // A rule test runs in no service: its diff is against the saved file.
      const running = file === COMPOSE_NAME ? rt.loaded().text
        : file.startsWith('tests/') ? configText(rt.loaded().configDir, file)
          : rt.maybeStack() ? (await rt.target().config().runningFiles())[file as ConfigFile] : undefined;
      return diffLines(running ?? '', text);
    },
    'config:dismiss': ({ file }) => {
      dismissOffer(rt.loaded().configDir, file);
      return state();
    },
    'config:restore': async ({ id }) => {
      rt.history().entry(id);
      await rt.lock.run('apply', () => restoreEntry(context(), id), { wait: true });
      return state();
    },
  } satisfies Partial<Handlers>;
}
