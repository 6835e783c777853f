import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Stack } from './stack.js';
import { StatusWatcher } from './watch.js';

/** A stand-in engine for the watcher: counts its connections, hands out event streams, fails a reconcile when told. */
function fakeStack(failReconciles: number) {
  const streams: PassThrough[] = [];
  let pings = 0;
  let failures = failReconciles;
  const stack = {
    spec: { project: 'p', services: [] },
    docker: {
      ping: () => {
        pings++;
        return Promise.resolve();
      },
      getEvents: () => {
        const s = new PassThrough();
        streams.push(s);
        return Promise.resolve(s);
      },
    },
    bounded: <T,>(_what: string, work: Promise<T>) => work,
    status: () => (failures-- > 0 ? Promise.reject(new Error('the engine stopped mid-reconcile')) : Promise.resolve([])),
  };
  return { stack: stack as unknown as Stack, streams, pings: () => pings };
}

describe('the status watcher', () => {
  it('runs one reconnect loop when a reconcile fails after it subscribed (the stream\'s end is not a second loss)', async () => {
    const { stack, streams, pings } = fakeStack(1);
    const watcher = new StatusWatcher(stack, { backoffMs: [20], readinessEveryMs: 60_000 });
    await watcher.start(); // subscribes, then the reconcile fails: one retry scheduled
    expect(pings()).toBe(1);
    streams[0]!.end(); // the failed attempt's stream ends too
    await new Promise((r) => setTimeout(r, 150));
    // One retry connected and stayed (its reconcile succeeded): two connections in all, not three.
    expect(pings()).toBe(2);
    expect(watcher.engineConnected).toBe(true);
    watcher.stop();
  });

  it('reconnects once when the event stream ends, and not after stop()', async () => {
    const { stack, streams, pings } = fakeStack(0);
    const watcher = new StatusWatcher(stack, { backoffMs: [20], readinessEveryMs: 60_000 });
    await watcher.start();
    streams[0]!.end();
    await new Promise((r) => setTimeout(r, 100));
    expect(pings()).toBe(2);
    watcher.stop();
    streams[1]!.end();
    await new Promise((r) => setTimeout(r, 100));
    expect(pings()).toBe(2);
  });
});
