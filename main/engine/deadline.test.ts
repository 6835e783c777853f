import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { followProgress, named, withDeadlines } from './deadline.js';
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

  it('gives a stop its grace period on top of the deadline, and a step its own name', async () => {
    const container = { stop: () => new Promise((r) => setTimeout(() => r('stopped'), 150)) };
    const docker = withDeadlines({ getContainer: () => container } as unknown as Docker, 50);
    await expect(docker.getContainer('c1').stop({ t: 1 })).resolves.toBe('stopped'); // 150 ms < 50 ms + 1 s
    await expect(docker.getContainer('c1').stop()).rejects.toThrow(/within 50 ms \(container stop\)/);
    await expect(named('stopping prometheus', docker.getContainer('c1').stop())).rejects.toThrow(new TimeoutError('the Docker engine did not answer within 50 ms (stopping prometheus); it may be hung or overloaded'));
  });

  it('lets a progress stream run while it progresses, and cuts it off once it goes silent', async () => {
    const modem = {
      followProgress(stream: NodeJS.ReadableStream, done: (err: Error | null, out: unknown[]) => void, onEvent?: (e: unknown) => void) {
        const out: unknown[] = [];
        stream.on('data', (c: Buffer) => { const e: unknown = JSON.parse(c.toString()); out.push(e); onEvent?.(e); });
        stream.on('end', () => done(null, out));
      },
    };
    const docker = { modem } as unknown as Docker;
    // A load that sends a line every 30 ms for 300 ms: never idle for 100 ms, so it finishes.
    const busy = new PassThrough();
    let n = 0;
    const tick = setInterval(() => (++n <= 10 ? busy.write(JSON.stringify({ n })) : (clearInterval(tick), busy.end())), 30);
    const seen: unknown[] = [];
    await expect(followProgress(docker, busy, 'loading x.tar', (e) => seen.push(e), 100)).resolves.toHaveLength(10);
    expect(seen).toHaveLength(10);
    // One that sends a line and then nothing.
    const silent = new PassThrough();
    silent.write(JSON.stringify({ n: 1 }));
    const started = Date.now();
    await expect(followProgress(docker, silent, 'pulling prom/prometheus', undefined, 100)).rejects.toThrow(new TimeoutError('the Docker engine sent nothing for 100 ms (pulling prom/prometheus); it may be hung or overloaded'));
    expect(Date.now() - started).toBeLessThan(1000);
    expect(silent.destroyed).toBe(true);
  });
});
