// The alert history on a real SQLite file: one record per alert whatever told of it, its
// figures, and everything still there after the database is opened again.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import type { PrometheusClient, QueryData } from '../prom/client.js';
import { AlertHistory } from './history.js';

const builtinSqlite = () => {
  try {
    createRequire(import.meta.url)('node:sqlite');
    return true;
  } catch {
    return false;
  }
};

const dirs: string[] = [];
const dir = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'obsdeck-history-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const external = { cluster: 'poc3-cluster', environment: 'development' };
const T = Date.parse('2026-12-02T10:00:00Z');
const I = 15_000;

/** Prometheus answering the history's ALERTS read with these firing samples (ms). */
function prometheus(series: { labels: Record<string, string>; at: number[] }[]): PrometheusClient {
  return {
    query: (expr: string, time?: number): Promise<QueryData> => {
      const end = (time ?? 0) * 1000;
      const range = Number(/\[(\d+)s\]/.exec(expr)![1]) * 1000;
      return Promise.resolve({ resultType: 'matrix', result: series.map((s) => ({ metric: { __name__: 'ALERTS', alertstate: 'firing', ...s.labels }, values: s.at.filter((t) => t > end - range && t <= end).map((t) => [t / 1000, '1'] as [number, string]) })).filter((s) => s.values.length) });
    },
  } as unknown as PrometheusClient;
}

describe('the alert history', () => {
  it('keeps one record for an alert both the webhook and Prometheus\' ALERTS told of', async () => {
    const d = dir();
    const h = new AlertHistory(d, () => external);
    const labels = { alertname: 'LoginRateLimited', job: 'poc3-security', severity: 'warning' };
    // The webhook: Alertmanager's copy carries the external labels; startsAt is Prometheus' FiredAt.
    h.notice({ status: 'firing', labels: { ...labels, ...external }, startsAt: new Date(T).toISOString(), summary: 'Logins are being rate limited' });
    // Prometheus: firing from T for 8 evaluations, then nothing (resolved at the next one).
    const firing = Array.from({ length: 8 }, (_, i) => T + i * I);
    expect(await h.syncFromPrometheus(prometheus([{ labels, at: firing }]), I, T + 20 * I)).toBe(1);
    const [e, ...rest] = h.entries(T - 60_000);
    expect(rest).toEqual([]);
    expect(e).toEqual({ alertname: 'LoginRateLimited', labels, severity: 'warning', summary: 'Logins are being rate limited', firedAt: T, resolvedAt: T + 8 * I, sources: ['webhook', 'prometheus'] });
    h.close();
  });

  it('reads what fired while the app was closed, two runs as two alerts, one still firing as open', async () => {
    const h = new AlertHistory(dir());
    const labels = { alertname: 'HighForbiddenRate', job: 'poc3-security', severity: 'warning' };
    const runA = Array.from({ length: 4 }, (_, i) => T + i * I);
    const runB = Array.from({ length: 4 }, (_, i) => T + (10 + i) * I);
    await h.syncFromPrometheus(prometheus([{ labels, at: [...runA, ...runB] }]), I, T + 14 * I);
    expect(h.entries(T - 1).map((e) => [e.firedAt, e.resolvedAt])).toEqual([[T + 10 * I, undefined], [T, T + 4 * I]]);
    // The next read sees the second one resolve: the same record gets its end.
    await h.syncFromPrometheus(prometheus([{ labels, at: [...runA, ...runB] }]), I, T + 30 * I);
    expect(h.entries(T - 1).map((e) => [e.firedAt, e.resolvedAt])).toEqual([[T + 10 * I, T + 14 * I], [T, T + 4 * I]]);
  });

  it('leaves out the heartbeat and the path test, sums each rule and finds a flapping one', () => {
    const h = new AlertHistory(dir());
    h.notice({ status: 'firing', labels: { alertname: 'Watchdog' }, startsAt: new Date(T).toISOString() });
    h.notice({ status: 'firing', labels: { alertname: 'ObsdeckPathTest_1', obsdeck_path_test: 'true' }, startsAt: new Date(T).toISOString() });
    for (let i = 0; i < 4; i++) {
      h.record({ labels: { alertname: 'HighErrorRate' }, firedAt: T + i * 600_000, resolvedAt: T + i * 600_000 + 120_000 }, 'prometheus');
    }
    h.record({ labels: { alertname: 'HighLatency' }, firedAt: T, resolvedAt: T + 300_000 }, 'webhook');
    const state = h.state(T - 1, T + 3_600_000);
    expect(state.rules).toEqual([
      { alertname: 'HighErrorRate', firings: 4, firingMs: 480_000, meanResolveMs: 120_000, firingNow: false, flapping: true },
      { alertname: 'HighLatency', firings: 1, firingMs: 300_000, meanResolveMs: 300_000, firingNow: false, flapping: false },
    ]);
  });

  it('is all there after the database is opened again (the app restarted)', () => {
    const d = dir();
    const h = new AlertHistory(d);
    h.record({ labels: { alertname: 'RefreshTokenReuse', severity: 'critical' }, firedAt: T }, 'webhook');
    h.close();
    const again = new AlertHistory(d);
    expect(again.entries(0).map((e) => e.alertname)).toEqual(['RefreshTokenReuse']);
    // node:sqlite where the runtime has it (Node 22.13+, 24, Electron), better-sqlite3 on Node 20.
    expect(again.driver).toBe(builtinSqlite() ? 'node:sqlite' : 'better-sqlite3');
    again.close();
  });
});
