import { describe, expect, expectTypeOf, it } from 'vitest';
import type { Channel } from '../contract.js';
import { handlersFor } from './host.js';
import { createRouter, type Handlers } from './router.js';
import { Runtime } from './runtime.js';
import { Session } from './session.js';

describe('the router', () => {
  it('is typed from the contract: a channel without a handler does not compile', () => {
    const full = handlersFor(new Runtime({ env: { DOCKER_HOST: 'unix:///nonexistent.sock' }, webhook: false }));
    const missing: Omit<Handlers, 'engine:status'> = full;
    // @ts-expect-error a channel of the contract has no handler
    expect(() => createRouter(missing)).not.toThrow();
    expectTypeOf(full).toEqualTypeOf<Handlers>();
    expectTypeOf<keyof Handlers>().toEqualTypeOf<Channel>();
  });

  it('validates arguments before a handler sees them, and names unknown channels', async () => {
    let seen: unknown;
    const handlers = handlersFor(new Runtime({ env: { DOCKER_HOST: 'unix:///nonexistent.sock' }, webhook: false }));
    const route = createRouter({ ...handlers, 'stack:stop': (args) => {
      seen = args;
      return Promise.reject(new Error('stopped'));
    } });
    const session = new Session(() => undefined);
    await expect(route('stack:stop', { services: ['bad name!'] }, session)).rejects.toMatchObject({ error: { code: 'BAD_REQUEST' } });
    expect(seen).toBeUndefined();
    await expect(route('stack:stop', { services: ['api_poc3'] }, session)).rejects.toMatchObject({ error: { code: 'INTERNAL', message: 'stopped' } });
    expect(seen).toEqual({ services: ['api_poc3'] });
    await expect(route('__proto__', {}, session)).rejects.toMatchObject({ error: { code: 'UNKNOWN_CHANNEL' } });
  });
});

describe('the session', () => {
  it('stops what it follows when replaced, when unfollowed and when disposed, once each', () => {
    const s = new Session(() => undefined);
    const stops: string[] = [];
    s.follow('logs', () => stops.push('first'));
    s.follow('logs', () => stops.push('second'));
    expect(stops).toEqual(['first']);
    let cleaned = 0;
    s.onDispose(() => cleaned++);
    s.dispose();
    s.dispose();
    expect(stops).toEqual(['first', 'second']);
    expect(cleaned).toBe(1);
    s.follow('logs', () => stops.push('late'));
    expect(stops).toEqual(['first', 'second', 'late']); // a follow that arrives after the end stops at once
  });
});
