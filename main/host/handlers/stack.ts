// The engine and the stack: status, and the changes (up, down, stop, restart) under the lock,
// with their steps to every session as `stack:progress`.
import type { StackEvent } from '../../contract.js';
import type { Stack } from '../../stack/stack.js';
import type { Work } from '../lock.js';
import type { Handlers } from '../router.js';
import type { Runtime } from '../runtime.js';

export function stackHandlers(rt: Runtime) {
  const progress = (e: StackEvent) => rt.emit('stack:progress', e);
  const change = async (kind: Work, work: (stack: Stack) => Promise<void>) => {
    const stack = rt.stack();
    await rt.lock.run(kind, () => work(stack));
    return rt.snapshot();
  };
  return {
    'engine:status': () => rt.engineStatus(),
    'stack:status': () => rt.snapshot(),
    'stack:up': ({ services }) => change('up', async (s) => {
      const names = services?.length ? services : (rt.opts.defaultServices ?? []);
      const { skipped } = await s.up(names, progress, { wait: true });
      rt.markUnavailable(names.length ? names : s.spec.services.map((x) => x.name), skipped);
    }),
    'stack:down': ({ volumes }) => change('down', (s) => s.down(progress, { volumes: volumes === true })),
    'stack:stop': ({ services }) => change('stop', (s) => s.stop(services, progress)),
    'stack:restart': ({ services }) => change('restart', (s) => s.restart(services, progress)),
    'stack:credentials': () => {
      const { auth, spec } = rt.loaded();
      const grafana = spec.services.find((s) => s.name === 'grafana')?.environment.GF_SECURITY_ADMIN_PASSWORD ?? '';
      return { username: auth.username, password: auth.password, grafana: { username: 'admin', password: grafana } };
    },
  } satisfies Partial<Handlers>;
}
