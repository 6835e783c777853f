// What every command opens: the engine (found as the app finds it), the stack on the compose
// file with its stand-ins, the Swarm deployment when there is one, and the stack's lock shared
// with the app and other terminals.
import type Docker from 'dockerode';
import { dataDir } from '../config/store.js';
import { discoverEngine } from '../engine/discover.js';
import type { Work } from '../host/lock.js';
import { loadSpec } from '../config/project.js';
import { Stack } from '../stack/stack.js';
import { useStandIns } from '../stack/stand-ins.js';
import { SwarmStack } from '../swarm/swarm.js';
import { targetFor, type Target } from '../target/target.js';
import { underLock } from './lock.js';
import { warn } from './output.js';
import type { Parsed } from './table.js';

export class NoEngine extends Error {}

/** The endpoint of the engine found (the stack's lock is keyed by it, as the app's is). */
let endpoint = '';

/** The endpoint of the engine the last engine() found. */
export const engineEndpoint = (): string => endpoint;

export async function engine(): Promise<Docker> {
  const { status, docker } = await discoverEngine();
  if (!status.reachable || !docker) {
    throw new NoEngine(`no Docker engine is reachable. ${status.reachable ? '' : status.hint}\ntried:\n${status.reachable ? '' : status.tried.map((t) => `  ${t.endpoint}: ${t.error}`).join('\n')}`);
  }
  endpoint = status.endpoint.split(' ')[0]!;
  return docker;
}

/** Runs a change to the stack holding the stack's lock, shared with the app and other terminals. */
export function locked<T>(stack: { spec: { project: string } }, work: Work, values: Parsed['values'], run: () => Promise<T>): Promise<T> {
  return underLock({ dataDir: dataDir(), endpoint, project: stack.spec.project }, work, values, run);
}

export async function openStack(): Promise<{ stack: Stack; configDir: string }> {
  const docker = await engine();
  const { spec, configDir } = loadSpec();
  for (const w of spec.warnings) warn(w);
  for (const name of await useStandIns(docker, spec)) {
    const s = spec.services.find((x) => x.name === name)!;
    warn(`offline: ${name} runs the stand-in ${s.image} (${s.standInFor ?? ''} is not here and cannot be pulled)`);
  }
  return { stack: new Stack(docker, spec), configDir };
}

export async function openSwarm(): Promise<SwarmStack> {
  const { stack } = await openStack();
  return new SwarmStack(stack.docker, stack.spec);
}

/** The stack's Swarm services, when the stack runs on Swarm now (the commands that work on both targets ask this first). */
export async function deployedSwarm(stack: Stack): Promise<SwarmStack | undefined> {
  const swarm = new SwarmStack(stack.docker, stack.spec);
  return (await swarm.deployed().catch(() => false)) ? swarm : undefined;
}


/** The target the stack runs on now: Swarm when its services are deployed there, else plain containers. */
export async function openTarget(stack: Stack): Promise<Target> {
  return targetFor(stack, await deployedSwarm(stack));
}

/**
 * The stack, when `service` runs in it now. Credentials and the API's passwords go only to a port
 * the stack holds: a stopped service's port is free, and anything on this machine may bind it.
 */
export async function requireRunning(service: string, what: string): Promise<Stack> {
  const { stack } = await openStack();
  if (!(await (await openTarget(stack)).container(service))) {
    throw new Error(`${what} is not running (\`obsdeck up\` starts it); nothing is sent to its port meanwhile, since anything on this machine may hold it`);
  }
  return stack;
}
