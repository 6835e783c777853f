// What a deployment target can do, behind one interface: the stack as plain containers on one
// engine, or as Swarm services. The runtime (the app's pages) and the CLI both get their target
// from targetFor(), and call it without asking which it is; a capability a target lacks is
// declared here, with the one sentence the UI and the CLI both say for it. The next target (a
// Kubernetes cluster) is one more implementation of this interface.
import type Docker from 'dockerode';
import { containersConfig, type ConfigTarget } from '../config/change.js';
import type { ServiceStatus, StackEvent } from '../contract.js';
import { containerSources, type LogSources } from '../stack/follow.js';
import type { Skipped } from '../stack/preflight.js';
import type { Stack } from '../stack/stack.js';
import { swarmConfig } from '../swarm/config.js';
import { serviceStatuses } from '../swarm/status.js';
import type { SwarmStack } from '../swarm/swarm.js';

export type TargetKind = 'containers' | 'swarm';
export type OnEvent = (e: StackEvent) => void;
/** The operations a target may lack. */
export type Operation = 'scale' | 'stop a service' | 'restart a service' | 'compose apply';

/** A target's answer to an operation it cannot do: the sentence is the same in the UI and the CLI. */
export class Unsupported extends Error {}

export interface Target {
  readonly kind: TargetKind;
  /** What this target cannot do, each with what to do instead. */
  readonly cannot: Partial<Record<Operation, string>>;
  /** What stops `names` (every service when empty) from starting here, each in one sentence; none when ready. */
  preflight(names: string[]): Promise<string[]>;
  /** Each of the stack's services as the contract reports it (on Swarm with replicas and tasks). */
  status(): Promise<ServiceStatus[]>;
  /** Creates and starts `names` (every service when empty) and what they need; `replicas` on Swarm. */
  up(names: string[], on: OnEvent, opts?: { wait?: boolean; replicas?: Record<string, number> }): Promise<{ skipped: Skipped[] }>;
  /** Removes what runs; the data volumes too only with `volumes`. */
  down(on: OnEvent, opts?: { volumes?: boolean }): Promise<void>;
  stop(names: string[], on: OnEvent): Promise<void>;
  restart(names: string[], on: OnEvent): Promise<void>;
  scale(service: string, replicas: number, on: OnEvent): Promise<void>;
  /** Where config changes go (validate, deliver with an undo, what runs now). */
  config(): ConfigTarget;
  /** Log sources that a follow keeps reading (a container or task started later included). */
  logSources(): LogSources;
  /** A running container of `service` on this engine (on Swarm: one of its tasks'), to read or exec in. */
  container(service: string): Promise<Docker.Container | undefined>;
  /**
   * The running containers whose vitals this engine can read, by vitals key (VitalsKeeper): a
   * service's container under its name; on Swarm each task on this node as `service/slot`
   * (tasks on other nodes are out of reach of this engine's stats).
   */
  vitalsSources(): Promise<Map<string, string>>;
}

/** A Swarm task's vitals key: its service and its slot (a compose service name has no "/"). */
export const vitalsKey = (service: string, slot?: string) => (slot ? `${service}/${slot}` : service);

/** The sentences, once. */
export const CANNOT = {
  containers: {
    scale: 'Scale needs the stack on Swarm (plain containers run one of each service): Stop it, then Start it on Swarm (`obsdeck up --swarm`)',
  },
  swarm: {
    'stop a service': 'the stack runs on Swarm, where a single service is not stopped: Scale it to 0 replicas, or Stop the whole stack',
    'restart a service': 'the stack runs on Swarm, where a single service is not restarted: Scale it down and up again, or Stop and Start the whole stack',
    'compose apply': 'the stack runs on Swarm: a compose change is deployed by Stop and Start on Swarm; the config files apply as they are',
  },
} as const satisfies Record<TargetKind, Partial<Record<Operation, string>>>;

const pick = <S extends { name: string }>(services: S[], names: string[]) => (names.length ? services.filter((s) => names.includes(s.name)) : services);

/** Throws the target's sentence when it cannot do `op`. */
export function ensureCan(target: Target, op: Operation): void {
  const why = target.cannot[op];
  if (why) throw new Unsupported(why);
}

export function containersTarget(stack: Stack): Target {
  const target: Target = {
    kind: 'containers',
    cannot: CANNOT.containers,
    preflight: (names) => stack.preflight(pick(stack.spec.services, names)),
    status: () => stack.status(),
    up: (names, on, opts = {}) => stack.up(names, on, { wait: opts.wait !== false }),
    down: (on, opts = {}) => stack.down(on, { volumes: opts.volumes === true }),
    stop: (names, on) => stack.stop(names, on),
    restart: (names, on) => stack.restart(names, on),
    scale: () => Promise.reject(new Unsupported(CANNOT.containers.scale)),
    config: () => containersConfig(stack),
    logSources: () => containerSources(stack),
    container: async (service) => {
      const info = (await stack.containers()).get(service);
      return info?.State === 'running' ? stack.docker.getContainer(info.Id) : undefined;
    },
    vitalsSources: async () => new Map([...await stack.containers()].filter(([, c]) => c.State === 'running').map(([service, c]) => [service, c.Id])),
  };
  return target;
}

export function swarmTarget(swarm: SwarmStack): Target {
  return {
    kind: 'swarm',
    cannot: CANNOT.swarm,
    preflight: (names) => swarm.preflight(pick(swarm.spec.services, names)),
    status: async () => serviceStatuses(swarm.spec.services, swarm.spec.services.map((s) => s.name), await swarm.status()),
    up: (names, on, opts = {}) => swarm.up(names, on, { ...(opts.replicas ? { replicas: opts.replicas } : {}) }),
    down: async (on, opts = {}) => {
      await swarm.down(on, { volumes: opts.volumes === true });
      await swarm.local.down(on, { volumes: opts.volumes === true }); // any plain container left of the project
    },
    stop: () => Promise.reject(new Unsupported(CANNOT.swarm['stop a service'])),
    restart: () => Promise.reject(new Unsupported(CANNOT.swarm['restart a service'])),
    scale: (service, replicas, on) => swarm.scale(service, replicas, on),
    config: () => swarmConfig(swarm),
    logSources: () => swarm.logSources(),
    container: async (service) => {
      const [task] = await swarm.docker.listContainers({ filters: { label: [`com.docker.swarm.service.name=${swarm.serviceName(service)}`], status: ['running'] } });
      return task ? swarm.docker.getContainer(task.Id) : undefined;
    },
    vitalsSources: async () => {
      const byName = new Map(swarm.spec.services.map((s) => [swarm.serviceName(s.name), s.name]));
      const running = await swarm.docker.listContainers({ filters: { label: ['com.docker.swarm.service.name'], status: ['running'] } });
      const out = new Map<string, string>();
      for (const c of running) {
        const service = byName.get(c.Labels['com.docker.swarm.service.name'] ?? '');
        // The task's name is <swarm service>.<slot>.<task id>: the slot is the replica's number.
        const slot = /\.(\d+)\.[^.]+$/.exec(c.Labels['com.docker.swarm.task.name'] ?? '')?.[1];
        if (service && slot) out.set(vitalsKey(service, slot), c.Id);
      }
      return out;
    },
  };
}

/**
 * The one choice of target, for the runtime and the CLI alike: Swarm when the stack's services
 * are deployed there (`swarm` given), else plain containers.
 */
export function targetFor(stack: Stack, swarm: SwarmStack | undefined): Target {
  return swarm ? swarmTarget(swarm) : containersTarget(stack);
}
