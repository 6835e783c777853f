// A daemon that accepts connections and answers a ping, then never answers again: every step
// of the stack that holds its lock must fail with a timeout that says so, and let the lock go.
import path from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHungEngine, type HungEngine } from '../../test/helpers/hung-engine.js';
import { TimeoutError } from '../engine/timeout.js';
import { StackLock } from './lock.js';
import { loadCompose } from '../stack/compose.js';
import { Stack } from '../stack/stack.js';
import { SwarmStack } from '../swarm/swarm.js';

let engine: HungEngine;
let socket: string;
const dir = '/nonexistent-obsdeck-hung';

beforeAll(async () => {
  engine = await startHungEngine();
  socket = engine.socket;
});
afterAll(() => engine.close());

describe('a hung Docker engine', () => {
  const compose = `services:\n  web:\n    image: nginx\n    ports: ['127.0.0.1:18080:80']\n`;
  const stack = () => new Stack(new Docker({ socketPath: socket }), loadCompose(compose, { file: path.join(dir, 'c.yml'), project: 'hung', env: {} }), { engineTimeoutMs: 300 });

  it('fails up, stop and status with a timeout that names the step, and the lock is free again', async () => {
    const lock = new StackLock(() => undefined);
    const up = await lock.run('up', () => stack().up(['web'])).then(() => undefined, (e: unknown) => e);
    expect(up).toBeInstanceOf(TimeoutError);
    expect((up as Error).message).toBe('the Docker engine did not answer within 300 ms (listing the containers); it may be hung or overloaded');
    expect(lock.busy).toBeUndefined();
    await expect(lock.run('stop', () => stack().stop(['web']))).rejects.toBeInstanceOf(TimeoutError);
    await expect(stack().status()).rejects.toBeInstanceOf(TimeoutError);
    expect(lock.busy).toBeUndefined();
  });

  it('fails a Swarm scale, deploy and status in time, naming the call, and the lock is free again', async () => {
    const spec = loadCompose(compose, { file: path.join(dir, 'c.yml'), project: 'hung', env: {} });
    const swarm = new SwarmStack(new Docker({ socketPath: socket }), spec, { engineTimeoutMs: 300 });
    const lock = new StackLock(() => undefined);
    const started = Date.now();
    const scale = await lock.run('scale', () => swarm.scale('web', 3)).then(() => undefined, (e: unknown) => e);
    expect(scale).toBeInstanceOf(TimeoutError);
    expect((scale as Error).message).toBe('the Docker engine did not answer within 300 ms (docker listServices); it may be hung or overloaded');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(lock.busy).toBeUndefined();
    await expect(lock.run('up', () => swarm.up(['web']))).rejects.toBeInstanceOf(TimeoutError);
    await expect(swarm.status()).rejects.toBeInstanceOf(TimeoutError);
    await expect(swarm.role()).rejects.toThrow(/docker info/);
    expect(lock.busy).toBeUndefined();
  });
});
