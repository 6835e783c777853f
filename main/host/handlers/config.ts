// The Config view: the files, Validate of a draft, Apply and Restore through the one change path
// (under the stack's lock, queued behind any other change, steps to every session as
// `config:progress`), and the diff against what the running service holds.
import path from 'node:path';
import { applyChange, entryDrafts, restoreEntry, runningFiles, validateDraft, type ChangeContext } from '../../config/change.js';
import { composeProblems } from '../../config/compose-check.js';
import { applyCompose } from '../../config/compose-change.js';
import { configState } from '../../config/state.js';
import { diffLines } from '../../config/store.js';
import { COMPOSE_NAME, composeSource } from '../../stack/load.js';
import { applyOnSwarm } from '../../swarm/apply.js';
import { fail } from '../errors.js';
import type { Handlers } from '../router.js';
import type { Runtime } from '../runtime.js';

export function configHandlers(rt: Runtime) {
  const state = () => configState(rt.opts, rt.loaded(), rt.maybeStack(), rt.history());
  const context = (): ChangeContext => ({ stack: rt.stack(), configDir: rt.loaded().configDir, history: rt.history(), on: (s) => rt.emit('config:progress', s) });
  const compose = async (text: string) => {
    const source = composeSource(rt.opts);
    if (rt.onSwarm) fail('BAD_REQUEST', 'the stack runs on Swarm: a compose change is deployed by Stop and Start on Swarm; the config files apply as they are');
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
      const ctx = context();
      const entry = await rt.lock.run('apply', () => (rt.onSwarm
        ? applyOnSwarm({ swarm: rt.swarm(), configDir: ctx.configDir, history: ctx.history, on: ctx.on }, { [file]: text })
        : applyChange(ctx, { [file]: text })), { wait: true });
      return { id: entry.id, note: entry.note };
    },
    'config:diff': async ({ file, text }) => {
      const running = file === COMPOSE_NAME ? rt.loaded().text : (await runningFiles(rt.maybeStack()))[file];
      return diffLines(running ?? '', text);
    },
    'config:restore': async ({ id }) => {
      const ctx = context();
      rt.history().entry(id);
      await rt.lock.run('apply', () => {
        if (!rt.onSwarm) return restoreEntry(ctx, id);
        return applyOnSwarm({ swarm: rt.swarm(), configDir: ctx.configDir, history: ctx.history, on: ctx.on }, entryDrafts(ctx.history, id));
      }, { wait: true });
      return state();
    },
  } satisfies Partial<Handlers>;
}
