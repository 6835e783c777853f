import { describe, expect, it } from 'vitest';
import { labelSetText, labelValuesOf, parseLabelSet } from './labels';

describe('a typed label set', () => {
  it('reads pairs with or without braces, quotes and commas', () => {
    expect(parseLabelSet('{alertname="HighErrorRate", severity=warning}')).toEqual({ labels: { alertname: 'HighErrorRate', severity: 'warning' } });
    expect(parseLabelSet('a=1 b="x, y"')).toEqual({ labels: { a: '1', b: 'x, y' } });
    expect(parseLabelSet('')).toEqual({ labels: {} });
  });

  it('names the first part that is not a pair', () => {
    expect(parseLabelSet('a=1, nonsense')).toEqual({ error: '"nonsense" is not name=value' });
  });

  it('writes back what it reads', () => {
    const labels = { alertname: 'A', msg: 'say "hi"' };
    expect(parseLabelSet(labelSetText(labels))).toEqual({ labels });
  });
});

describe('labelValuesOf', () => {
  it('gives each label but the name its distinct values, names and values sorted', () => {
    expect(labelValuesOf([
      { __name__: 'http_requests_total', status: '500', job: 'a' },
      { __name__: 'http_requests_total', status: '200', job: 'a' },
      { __name__: 'http_requests_total', status: '200', job: 'b', method: 'GET' },
    ])).toEqual([['job', ['a', 'b']], ['method', ['GET']], ['status', ['200', '500']]]);
    expect(labelValuesOf([])).toEqual([]);
  });
});
