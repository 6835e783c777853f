import client from 'prom-client';
import { describe, expect, it } from 'vitest';
import { FastCounter, FastHistogram } from './fast-metrics.js';

describe('fast metrics', () => {
  it('render exactly what prom-client renders for the same observations', async () => {
    const ours = new client.Registry();
    const theirs = new client.Registry();
    const c1 = new FastCounter('things_total', 'Things', ['kind', 'status'], ours);
    const c2 = new client.Counter({ name: 'things_total', help: 'Things', labelNames: ['kind', 'status'], registers: [theirs] });
    const h1 = new FastHistogram('took_seconds', 'Took', ['op'], [0.1, 0.5, 1, 2.5], ours);
    const h2 = new client.Histogram({ name: 'took_seconds', help: 'Took', labelNames: ['op'], buckets: [0.1, 0.5, 1, 2.5], registers: [theirs] });
    for (const [kind, status, n] of [['a', '200', 1], ['a', '200', 2], ['b', '500', 1]] as const) {
      c1.labels(kind, status).inc(n);
      c2.labels(kind, status).inc(n);
    }
    for (const [op, v] of [['read', 0.05], ['read', 0.7], ['read', 3], ['write', 0.5]] as const) {
      h1.labels(op).observe(v);
      h2.labels(op).observe(v);
    }
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });

  it('refuses a wrong number of label values and a negative increment', () => {
    const c = new FastCounter('x_total', 'x', ['a'], new client.Registry());
    expect(() => c.labels('1', '2')).toThrow(/takes 1 label values/);
    expect(() => c.labels('1').inc(-1)).toThrow(/cannot go down/);
  });
});
