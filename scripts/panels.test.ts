// Every query of the app's Metrics view parses as PromQL (the same grammar check as the rules
// and dashboards get).
import { describe, expect, it } from 'vitest';
import { checkPromql } from '../main/config/promql.js';
import { PANELS } from '../renderer/lib/panels.js';

describe('the Metrics view\'s panels', () => {
  it('all parse', () => {
    const queries = PANELS.flatMap((p) => p.queries.map((q) => ({ panel: p.title, expr: q.expr })));
    expect(queries.length).toBeGreaterThanOrEqual(8);
    expect(queries.filter((q) => checkPromql(q.expr)).map((q) => `${q.panel}: ${checkPromql(q.expr)?.message ?? ''}`)).toEqual([]);
  });
});
