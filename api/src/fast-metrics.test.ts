import client from 'prom-client';
import { describe, expect, it } from 'vitest';
import { FastCounter, FastHistogram, renderRegistry } from './fast-metrics.js';

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
    // A scrape renders them itself, from label text made once: the same text, byte for byte,
    // with values that need escaping, a metric without labels, and prom-client's own beside them.
    for (const r of [ours, theirs]) new client.Gauge({ name: 'level', help: 'A "level"\\ of\nthings', registers: [r] }).set(Number.POSITIVE_INFINITY);
    c1.labels('quote " back \\ new\nline', '201').inc(0.5);
    c2.labels('quote " back \\ new\nline', '201').inc(0.5);
    const b1 = new FastCounter('bare_total', 'No labels', [], ours);
    const b2 = new client.Counter({ name: 'bare_total', help: 'No labels', registers: [theirs] });
    b1.labels().inc(3);
    b2.inc(3);
    const h3 = new FastHistogram('plain_seconds', 'Plain', [], [1], ours);
    const h4 = new client.Histogram({ name: 'plain_seconds', help: 'Plain', buckets: [1], registers: [theirs] });
    h3.labels().observe(2);
    h4.observe(2);
    expect(await renderRegistry(ours)).toBe(await theirs.metrics());
    expect(await renderRegistry(ours)).toBe(await ours.metrics());
  });

  it('refuses a wrong number of label values and a negative increment', () => {
    const c = new FastCounter('x_total', 'x', ['a'], new client.Registry());
    expect(() => c.labels('1', '2')).toThrow(/takes 1 label values/);
    expect(() => c.labels('1').inc(-1)).toThrow(/cannot go down/);
  });
});
