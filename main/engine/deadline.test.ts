import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { withDeadlines } from './deadline.js';
import { TimeoutError } from './timeout.js';

const never = () => new Promise<never>(() => undefined);

describe('the engine-call layer', () => {
  it('bounds every call, also on the objects it hands out, naming the call; wait() is left alone', async () => {
    const service = { inspect: never, update: never };
    const container = { wait: () => new Promise((r) => setTimeout(() => r({ StatusCode: 0 }), 200)), start: never };
    const raw = { getService: () => service, getContainer: () => container, listServices: never, info: () => Promise.resolve({ ok: 1 }), modem: { x: 1 } };
    const docker = withDeadlines(raw as unknown as Docker, 50);
    await expect(docker.listServices()).rejects.toThrow(new TimeoutError('the Docker engine did not answer within 50 ms (docker listServices); it may be hung or overloaded'));
    await expect(docker.getService('abc').inspect()).rejects.toThrow(/within 50 ms \(service inspect\)/);
    await expect(docker.getContainer('c1').start()).rejects.toBeInstanceOf(TimeoutError);
    await expect(docker.getContainer('c1').wait()).resolves.toEqual({ StatusCode: 0 }); // 200 ms, past the deadline: not cut
    await expect(docker.info()).resolves.toEqual({ ok: 1 });
    expect(docker.modem).toBe(raw.modem);
    expect(withDeadlines(docker, 10)).toBe(docker); // not wrapped twice
  });
});
