// Pins the contract's shape: a change to a channel, its arguments or the error codes must be
// made here on purpose, since the renderer (and an Electron preload built from an older
// checkout) depends on it.
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, requestSchemas } from './contract.js';

describe('the contract', () => {
  it('has these channels, named domain:verb, with these arguments', () => {
    const shape = Object.fromEntries(Object.entries(requestSchemas).map(([channel, schema]) => {
      const json = z.toJSONSchema(schema) as { properties?: Record<string, { type?: string; anyOf?: { type?: string }[] }>; required?: string[] };
      const type = (v: { type?: string; anyOf?: { type?: string }[] }) => v.type ?? v.anyOf?.map((a) => a.type ?? '?').join('|') ?? '?';
      return [channel, Object.entries(json.properties ?? {}).map(([k, v]) => `${k}${json.required?.includes(k) ? '' : '?'}:${type(v)}`)];
    }));
    expect(shape).toEqual({
      'engine:status': [],
      'stack:status': [],
      'vitals:history': [],
      'stack:up': ['services?:array', 'swarm?:boolean', 'replicas?:object', 'init?:boolean'],
      'stack:scale': ['service:string', 'replicas:integer'],
      'stack:credentials': [],
      'stack:down': ['volumes?:boolean'],
      'stack:stop': ['services:array'],
      'stack:restart': ['services:array'],
      'targets:list': [],
      'logs:tail': ['services?:array', 'tail?:integer'],
      'logs:follow': ['services?:array', 'tail?:integer', 'since?:string'],
      'logs:stop': [],
      'alerts:list': [],
      'alerts:notices': [],
      'alerts:test': [],
      'alerts:history': ['since:integer'],
      'metrics:range': ['exprs:array', 'start:number', 'end:number', 'step:number'],
      'config:get': [],
      'config:validate': ['file:string', 'text:string'],
      'config:apply': ['file:string', 'text:string'],
      'config:diff': ['file:string', 'text:string'],
      'config:restore': ['id:string'],
      'config:dismiss': ['file:string'],
      'silences:create': ['matchers:array', 'minutes:integer', 'comment:string'],
      'silences:expire': ['id:string'],
      'prom:read': ['path:string', 'params:object'],
      'rules:record': ['name:string', 'group?:string', 'from:integer', 'to:integer', 'save?:string'],
      'rules:tests': ['file?:string', 'draft?:string'],
      'routes:show': ['draft?:string', 'labels?:object'],
      'slo:status': [],
      'rules:backtest': ['name?:string', 'group?:string', 'draft?:string', 'at?:integer', 'from:integer', 'to:integer'],
      'traffic:status': [],
      'traffic:start': ['scenario:string', 'durationS?:number', 'rate?:number'],
      'traffic:stop': ['scenario?:string'],
      'images:list': [],
      'images:pull': ['service:string'],
      'images:export': ['file?:string'],
      'images:import': ['file:string', 'also?:array'],
      'images:choose': ['service:string', 'image:string|null'],
    });
    for (const channel of Object.keys(requestSchemas)) expect(channel).toMatch(/^[a-z]+:[a-z]+$/);
  });

  it('has stable error codes', () => {
    expect(ERROR_CODES).toEqual([
      'ENGINE_UNREACHABLE', 'PORT_IN_USE', 'IMAGE_MISSING', 'PREFLIGHT_FAILED', 'SERVICE_FAILED',
      'CONFIG_INVALID', 'APPLY_ROLLED_BACK', 'PROMETHEUS_UNREACHABLE', 'ALERTMANAGER_UNREACHABLE', 'BUSY', 'BAD_REQUEST', 'UNKNOWN_CHANNEL', 'INTERNAL', 'IMAGE_FAILED',
    ]);
  });

  it('refuses unknown arguments and malformed service names', () => {
    expect(requestSchemas['stack:up'].safeParse({ services: ['api_poc3'] }).success).toBe(true);
    expect(requestSchemas['stack:up'].safeParse({ services: ['../etc'] }).success).toBe(false);
    expect(requestSchemas['stack:up'].safeParse({ swarm: true, replicas: { api_poc3: 5 } }).success).toBe(true);
    expect(requestSchemas['stack:up'].safeParse({ swarm: true, replicas: { api_poc3: 65 } }).success).toBe(false);
    expect(requestSchemas['stack:scale'].safeParse({ service: 'api_poc3', replicas: -1 }).success).toBe(false);
    expect(requestSchemas['stack:down'].safeParse({ volumes: true, force: true }).success).toBe(false);
    expect(requestSchemas['logs:tail'].safeParse({ tail: 1e9 }).success).toBe(false);
  });

  it('lets prom:read reach only Prometheus\' read-only API', () => {
    const ok = (path: string) => requestSchemas['prom:read'].safeParse({ path, params: {} }).success;
    for (const p of ['query', 'query_range', 'labels', 'series', 'metadata', 'status/flags', 'status/tsdb', 'label/__name__/values', 'label/job/values']) expect(ok(p), p).toBe(true);
    for (const p of ['admin/tsdb/delete_series', 'admin/tsdb/snapshot', 'status/tsdb/x', 'status/tsdbx', '../-/reload', 'label/../../-/quit/values', 'query?x=1', 'rules/../admin', '']) expect(ok(p), p).toBe(false);
    expect(requestSchemas['prom:read'].safeParse({ path: 'series', params: { 'match[]': ['up', 'http_requests_total'] } }).success).toBe(true);
  });
});
