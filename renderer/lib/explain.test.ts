import { describe, expect, it } from 'vitest';
import { explain, nodesOf, type ExplainNode } from './explain';
import { PANELS, VITALS_PANELS } from './panels';
import { SEED_QUERIES } from './seed-queries';

const tree = (q: string): ExplainNode => {
  const r = explain(q);
  if ('error' in r) throw new Error(`${q}: ${r.error}`);
  return r.root;
};
const lines = (n: ExplainNode, depth = 0): string[] => [`${'  '.repeat(depth)}${n.expr} — ${n.sentence}`, ...n.children.flatMap((c) => lines(c, depth + 1))];

describe('Explain', () => {
  it('explains every query of the seed and of the Metrics view, every node in a sentence of its own', () => {
    const queries = [...SEED_QUERIES.flatMap((g) => g.queries.map((q) => q.expr)), ...[...PANELS, ...VITALS_PANELS].flatMap((p) => p.queries.map((q) => q.expr))];
    expect(queries.length).toBeGreaterThan(35);
    for (const q of queries) {
      const nodes = nodesOf(tree(q));
      for (const n of nodes) {
        expect(n.sentence.length, `${q}: ${n.expr}`).toBeGreaterThan(10);
        // A node this does not know falls back to the grammar's name: none does here.
        expect(n.sentence, `${q}: ${n.expr}`).not.toMatch(/^[A-Z]\w+ /);
        expect(q.includes(n.expr), `${q}: ${n.expr}`).toBe(true);
      }
      // Every metric the query reads is a node that can list its series.
      const names = [...q.matchAll(/\b([a-z_]+(?:_total|_sum|_count|_bucket|_bytes)|jwt_active_tokens|[a-z_]+:[\w:]+)\b/g)].map((m) => m[1]!);
      expect(names.length, q).toBeGreaterThan(0);
      for (const name of names) expect(nodes.some((n) => n.selector?.startsWith(name)), `${q}: ${name}`).toBe(true);
    }
  });

  it('says what each part of a ratio of rates does', () => {
    expect(lines(tree('sum by (endpoint) (rate(http_requests_total{status=~"5.."}[5m])) / sum by (endpoint) (rate(http_requests_total[5m])) * 100'))).toEqual([
      'sum by (endpoint) (rate(http_requests_total{status=~"5.."}[5m])) / sum by (endpoint) (rate(http_requests_total[5m])) * 100 — multiplies the left and right values (*)',
      '  sum by (endpoint) (rate(http_requests_total{status=~"5.."}[5m])) / sum by (endpoint) (rate(http_requests_total[5m])) — the left value divided by the right, pairing series with identical labels',
      '    sum by (endpoint) (rate(http_requests_total{status=~"5.."}[5m])) — adds up the values for each distinct endpoint, dropping every other label',
      '      rate(http_requests_total{status=~"5.."}[5m]) — the per-second average rate of increase of each counter over its range, with counter resets taken into account',
      '        http_requests_total{status=~"5.."}[5m] — the samples of the last 5m of every series of http_requests_total where status matches "5.."',
      '    sum by (endpoint) (rate(http_requests_total[5m])) — adds up the values for each distinct endpoint, dropping every other label',
      '      rate(http_requests_total[5m]) — the per-second average rate of increase of each counter over its range, with counter resets taken into account',
      '        http_requests_total[5m] — the samples of the last 5m of every series of http_requests_total',
      '  100 — the number 100',
    ]);
  });

  it('tells filters from arithmetic, and names percentiles, matching and offsets', () => {
    expect(tree('job:http_errors:ratio_rate5m > 0.05').sentence).toBe('the left-hand series whose value is greater than 0.05 (the others are dropped: a filter)');
    expect(tree('up == bool 1').sentence).toBe('1 where the left value is equal to the right, else 0');
    expect(tree('histogram_quantile(0.95, sum by (le) (rate(x_bucket[5m])))').sentence).toMatch(/^the 95th percentile, estimated from each histogram's cumulative buckets/);
    expect(tree('a / on(job) group_left b').sentence).toBe('the left value divided by the right, pairing series on job (many on the left to one on the right: group_left)');
    expect(tree('sum without (instance) (up)').sentence).toBe('adds up the values for each combination of the labels other than instance');
    expect(tree('rate(x[5m] offset 1h)').children[0]!.sentence).toBe('the same, 1h earlier (offset)');
    expect(tree('max_over_time(rate(x[1m])[1h:5m])').children[0]!.sentence).toBe('the inner expression evaluated every 5m over the last 1h, as a range for the function around it');
    expect(tree('(up)').expr).toBe('up');
    const broken = explain('sum(rate(x[5m])');
    expect('error' in broken && broken.error).toMatch(/^the query does not parse at character \d+$/);
  });
});
