import { describe, expect, it } from 'vitest';
import { WindowCounter } from './rate-limit.js';

describe('WindowCounter', () => {
  it('blocks after the limit and lets the key through again when the window ends', () => {
    let now = 0;
    const c = new WindowCounter(2, 1000, 100, () => now);
    c.hit('a');
    expect(c.exceeded('a')).toBe(false);
    c.hit('a');
    expect(c.exceeded('a')).toBe(true);
    expect(c.exceeded('b')).toBe(false);
    now = 400;
    expect(c.retryAfter('a')).toBe(1);
    now = 1000;
    expect(c.exceeded('a')).toBe(false);
  });

  it('holds a bounded number of keys', () => {
    const c = new WindowCounter(1, 60_000, 3);
    for (const k of ['a', 'b', 'c', 'd']) c.hit(k);
    expect(c.exceeded('a')).toBe(false); // the oldest was dropped to make room
    expect(c.exceeded('d')).toBe(true);
  });
});
