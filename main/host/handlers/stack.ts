// The engine and the stack: status, and the changes (up, down, stop, restart, scale) under the
// lock, with their steps to every session as `stack:progress`. The stack runs either as plain
// containers or as Swarm services (Start on Swarm); down removes whichever runs.
import type { StackEvent } from '../../contract.js';
import type { Stack } from '../../stack/stack.js';
import { ensureCan, swarmTarget } from '../../target/target.js';
import { verifyAlertPath } from '../alert-path.js';
import { fail } from '../errors.js';
import type { Work } from '../lock.js';
import type { Handlers } from '../router.js';
import type { Runtime } from '../runtime.js';

export function stackHandlers(rt: Runtime) {
  const progress = (e: StackEvent) => rt.emit('stack:progress', e);
  const change = async (kind: Work, work: (stack: Stack) => Promise<void>) => {
    const stack = rt.stack();
    try {
      await rt.lock.run(kind, () => work(stack));
    } finally {
      await rt.refreshSwarm();
      await rt.settle();
    }
    // Where Alertmanager's notifications land is the engine's word, read once it runs.
    if (kind === 'up' || kind === 'restart') await verifyAlertPath(rt).catch(() => undefined);
    return rt.snapshot();
  };
  return {
    'engine:status': () => rt.engineStatus(),
    'stack:status': () => rt.snapshot(),
    'vitals:history': () => rt.vitals.state(),
    'stack:up': ({ services, swarm, replicas, init }) => change('up', async (s) => {
      const names = services?.length ? services : (rt.opts.defaultServices ?? []);
      await rt.ensureForwards(names); // a remote engine's port that cannot be forwarded stops the start
      const running = rt.target();
      if (!swarm) {
        if (replicas || init) fail('BAD_REQUEST', 'replicas and init go with swarm: true');
        if (running.kind === 'swarm') fail('BAD_REQUEST', 'the stack runs on Swarm; Stop it before starting it as plain containers');
        const { skipped } = await running.up(names, progress, { wait: true });
        rt.markUnavailable(names.length ? names : s.spec.services.map((x) => x.name), skipped);
        return;
      }
      for (const name of Object.keys(replicas ?? {})) s.service(name); // an unknown name fails with the list
      const sw = rt.swarm();
      if ((await s.containers()).size) fail('BAD_REQUEST', 'the stack runs as plain containers; Stop it before starting it on Swarm (the data volumes are shared, so nothing is lost)');
      if ((await sw.role()) === 'inactive') {
        if (!init) fail('PREFLIGHT_FAILED', 'this Docker engine is not part of a swarm; make it a single-node swarm first (it then advertises 127.0.0.1 only and keeps a docker_gwbridge network; `docker swarm leave --force` undoes it)');
        await sw.initSingleNode();
        progress({ step: 'preflight', state: 'done', message: 'this engine is now a single-node swarm (advertising 127.0.0.1)' });
      }
      const { skipped } = await swarmTarget(sw).up(names, progress, { ...(replicas ? { replicas } : {}) });
      rt.markUnavailable(names.length ? names : s.spec.services.map((x) => x.name), skipped);
    }),
    'stack:scale': ({ service, replicas }) => {
      ensureCan(rt.target(), 'scale');
      return change('scale', () => rt.target().scale(service, replicas, progress));
    },
    // What is stopped gives up its ports: no credentials go there from before the first stop
    // (the engine's die event says so too, for a container that dies by itself).
    'stack:down': ({ volumes }) => change('down', () => rt.ports.givingUp([], () => rt.target().down(progress, { volumes: volumes === true }))),
    'stack:stop': ({ services }) => {
      ensureCan(rt.target(), 'stop a service');
      return change('stop', () => rt.ports.givingUp(services, () => rt.target().stop(services, progress)));
    },
    'stack:restart': ({ services }) => {
      ensureCan(rt.target(), 'restart a service');
      return change('restart', () => rt.ports.givingUp(services, () => rt.target().restart(services, progress)));
    },
    'stack:credentials': () => {
      const { auth, spec } = rt.loaded();
      const grafana = spec.services.find((s) => s.name === 'grafana')?.environment.GF_SECURITY_ADMIN_PASSWORD ?? '';
      return { username: auth.username, password: auth.password, grafana: { username: 'admin', password: grafana } };
    },
  } satisfies Partial<Handlers>;
}
