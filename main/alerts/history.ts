// The history of every alert the app learns of, kept in SQLite in the data directory (WAL, so
// the app and a terminal read and write it at once): Alertmanager's webhook notices as they
// come, and Prometheus' own ALERTS series read back for the time the app was not listening, so
// nothing is missed while it was closed. One alert is one record whatever told of it: keyed on
// its labels without Prometheus' external labels (which Alertmanager's copy carries and ALERTS
// does not) and the time it began firing (Alertmanager's startsAt is Prometheus' FiredAt, the
// evaluation at which ALERTS turned firing). Per rule: how often it fired, for how long, how
// long it took to resolve, and whether it flaps (more than 3 firings within an hour).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { AlertHistoryEntry, AlertHistoryRule, AlertHistoryState } from '../contract.js';
import type { PrometheusClient } from '../prom/client.js';
import { globalEvaluationInterval } from '../rules/backtest.js';
import { openDb, type Db } from './sqlite.js';

/** Alerts the history leaves out: the heartbeat and the alert path's own tests. */
const notAnAlert = (labels: Labels) => labels.alertname === 'Watchdog' || labels.obsdeck_path_test === 'true';
export const HISTORY_FILE = 'alert-history.sqlite';
/** How far back a first read of Prometheus' ALERTS goes. */
export const FIRST_SYNC_MS = 7 * 86_400_000;

type Labels = Record<string, string>;

const sortedJson = (labels: Labels) => JSON.stringify(Object.fromEntries(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b))));
export const historyKey = (labels: Labels, firedAt: number) => crypto.createHash('sha256').update(`${sortedJson(labels)}@${firedAt}`).digest('hex').slice(0, 32);

export class AlertHistory {
  private readonly db: Db;

  constructor(dir: string, private readonly externalLabels: () => Labels = () => ({})) {
    fs.mkdirSync(dir, { recursive: true });
    this.db = openDb(path.join(dir, HISTORY_FILE));
    this.db.exec(`PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000;
      CREATE TABLE IF NOT EXISTS alerts (
        key TEXT PRIMARY KEY, alertname TEXT NOT NULL, labels TEXT NOT NULL, severity TEXT,
        fired_at INTEGER NOT NULL, resolved_at INTEGER, summary TEXT, sources TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS alerts_by_time ON alerts (fired_at);
      CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);`);
  }

  get driver(): Db['driver'] {
    return this.db.driver;
  }

  close(): void {
    this.db.close();
  }

  /** The alert's own labels: without Prometheus' external labels (Alertmanager's copy has them). */
  private own(labels: Labels): Labels {
    const external = this.externalLabels();
    return Object.fromEntries(Object.entries(labels).filter(([k, v]) => k !== '__name__' && k !== 'alertstate' && external[k] !== v));
  }

  /** An alert that fired (and, when known, resolved), from `source`; merged with what another source said of it. */
  record(a: { labels: Labels; firedAt: number; resolvedAt?: number; summary?: string }, source: 'webhook' | 'prometheus'): void {
    const labels = this.own(a.labels);
    const alertname = labels.alertname ?? '';
    if (!alertname || notAnAlert(labels)) return;
    this.db.prepare(`INSERT INTO alerts (key, alertname, labels, severity, fired_at, resolved_at, summary, sources) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (key) DO UPDATE SET
        resolved_at = COALESCE(excluded.resolved_at, alerts.resolved_at),
        summary = COALESCE(alerts.summary, excluded.summary),
        sources = CASE WHEN instr(alerts.sources, excluded.sources) > 0 THEN alerts.sources ELSE alerts.sources || ',' || excluded.sources END`)
      .run(historyKey(labels, a.firedAt), alertname, sortedJson(labels), labels.severity ?? null, a.firedAt, a.resolvedAt ?? null, a.summary ?? null, source);
  }

  /** A webhook notice: firing starts a record, resolved ends it (silenced says nothing of firing). */
  notice(n: { status: 'firing' | 'resolved' | 'silenced'; labels: Labels; startsAt: string; endsAt?: string; summary?: string }): void {
    if (n.status === 'silenced') return;
    const firedAt = Date.parse(n.startsAt);
    if (!Number.isFinite(firedAt)) return;
    const resolvedAt = n.status === 'resolved' && n.endsAt ? Date.parse(n.endsAt) : undefined;
    this.record({ labels: n.labels, firedAt, ...(resolvedAt !== undefined && Number.isFinite(resolvedAt) ? { resolvedAt } : {}), ...(n.summary ? { summary: n.summary } : {}) }, 'webhook');
  }

  private meta(name: string): string | undefined {
    return (this.db.prepare('SELECT value FROM meta WHERE name = ?').get(name) as { value: string } | undefined)?.value;
  }

  private setMeta(name: string, value: string): void {
    this.db.prepare('INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value').run(name, value);
  }

  /**
   * Reads Prometheus' ALERTS{alertstate="firing"} since the last read (7 days the first time) and
   * records each run of firing samples: fired at its first sample, resolved at the evaluation
   * after its last (unless it still fires). Returns how many alerts it recorded.
   */
  async syncFromPrometheus(prom: PrometheusClient, intervalMs: number, now = Date.now()): Promise<number> {
    const since = Number(this.meta('prometheus_synced_until') ?? now - FIRST_SYNC_MS);
    // From a little before the last read: an alert that was firing then is met again, not cut in two.
    const from = Math.max(since - 30 * 60_000, now - FIRST_SYNC_MS);
    const runs = new Map<string, { labels: Labels; samples: number[] }>();
    const chunk = 6 * 3_600_000;
    for (let start = from; start < now; start += chunk) {
      const end = Math.min(start + chunk, now);
      const data = await prom.query(`ALERTS{alertstate="firing"}[${Math.ceil((end - start) / 1000)}s]`, end / 1000);
      if (data.resultType !== 'matrix') continue;
      for (const s of data.result) {
        const key = sortedJson(s.metric);
        const entry = runs.get(key) ?? { labels: s.metric, samples: [] };
        runs.set(key, entry);
        for (const [t] of s.values) entry.samples.push(Math.round(t * 1000));
      }
    }
    let recorded = 0;
    for (const { labels, samples } of runs.values()) {
      const sorted = [...new Set(samples)].sort((a, b) => a - b);
      let first = sorted[0];
      for (let i = 0; i < sorted.length; i++) {
        const t = sorted[i]!;
        const next = sorted[i + 1];
        if (next !== undefined && next - t <= 2 * intervalMs) continue; // the same run
        const ongoing = next === undefined && now - t <= 2 * intervalMs;
        this.record({ labels, firedAt: first!, ...(ongoing ? {} : { resolvedAt: t + intervalMs }) }, 'prometheus');
        recorded++;
        first = next;
      }
    }
    this.setMeta('prometheus_synced_until', String(now));
    return recorded;
  }

  /** Records that fired since `since` (and those still firing then), newest first. */
  entries(since: number): AlertHistoryEntry[] {
    const rows = this.db.prepare('SELECT alertname, labels, severity, fired_at, resolved_at, summary, sources FROM alerts WHERE fired_at >= ? OR resolved_at IS NULL OR resolved_at >= ? ORDER BY fired_at DESC, alertname').all(since, since) as {
      alertname: string; labels: string; severity: string | null; fired_at: number; resolved_at: number | null; summary: string | null; sources: string;
    }[];
    return rows.map((r) => ({
      alertname: r.alertname, labels: JSON.parse(r.labels) as Labels, firedAt: r.fired_at,
      ...(r.resolved_at !== null ? { resolvedAt: r.resolved_at } : {}), ...(r.severity ? { severity: r.severity } : {}), ...(r.summary ? { summary: r.summary } : {}),
      sources: r.sources.split(',') as AlertHistoryEntry['sources'],
    }));
  }

  /** The history since `since` with each rule's figures. */
  state(since: number, now = Date.now()): AlertHistoryState {
    const entries = this.entries(since);
    return { since, entries, rules: ruleFigures(entries, now), driver: this.db.driver };
  }
}

/** Per rule: firings, time firing, mean time to resolve, and flapping (more than 3 firings within an hour). */
export function ruleFigures(entries: AlertHistoryEntry[], now: number): AlertHistoryRule[] {
  const byRule = new Map<string, AlertHistoryEntry[]>();
  for (const e of entries) byRule.set(e.alertname, [...(byRule.get(e.alertname) ?? []), e]);
  return [...byRule].map(([alertname, list]) => {
    const resolved = list.filter((e) => e.resolvedAt !== undefined);
    const starts = list.map((e) => e.firedAt).sort((a, b) => a - b);
    const flapping = starts.some((t, i) => starts.filter((u, j) => j >= i && u - t < 3_600_000).length > 3);
    return {
      alertname,
      firings: list.length,
      firingMs: list.reduce((sum, e) => sum + ((e.resolvedAt ?? now) - e.firedAt), 0),
      ...(resolved.length ? { meanResolveMs: Math.round(resolved.reduce((sum, e) => sum + (e.resolvedAt! - e.firedAt), 0) / resolved.length) } : {}),
      firingNow: list.some((e) => e.resolvedAt === undefined),
      flapping,
    };
  }).sort((a, b) => b.firings - a.firings || a.alertname.localeCompare(b.alertname));
}

/** prometheus.yml's global external_labels (what Alertmanager's copy of an alert carries more). */
export function externalLabelsOf(prometheusYml: string): Labels {
  try {
    const doc = parseYaml(prometheusYml) as { global?: { external_labels?: Record<string, unknown> } } | null;
    return Object.fromEntries(Object.entries(doc?.global?.external_labels ?? {}).map(([k, v]) => [k, typeof v === 'string' ? v : String(v as number)]));
  } catch {
    return {};
  }
}

/** What the keeper reads of the app: where its data lives, prometheus.yml, and Prometheus when it runs. */
export interface HistoryHost {
  dataDir(): string;
  prometheusYml(): string;
  /** Prometheus' client while it runs; undefined while it does not. */
  runningPrometheus(): PrometheusClient | undefined;
}

/**
 * The history of the app's data directory, kept up to date from Prometheus: at each open of the
 * stack and every 5 minutes, and when asked; one read of ALERTS at a time (the timer and a request
 * share it); a failed read is said, and what was recorded is shown regardless.
 */
export class HistoryKeeper {
  private store?: AlertHistory;
  private syncing?: Promise<string | undefined>;
  private timer?: NodeJS.Timeout;

  constructor(private readonly host: HistoryHost) {}

  /** The database, opened on first use; a damaged file is an error naming it, never replaced. */
  history(): AlertHistory {
    if (!this.store) {
      const file = path.join(this.host.dataDir(), HISTORY_FILE);
      try {
        this.store = new AlertHistory(this.host.dataDir(), () => externalLabelsOf(this.host.prometheusYml()));
      } catch (err) {
        throw new Error(`the alert history ${file} cannot be opened (${err instanceof Error ? err.message : String(err)}); it is left as it is: move it away to start a new one`, { cause: err });
      }
    }
    return this.store;
  }

  /** A webhook notice into the history; a history that cannot be written is said once a notice, not thrown. */
  notice(n: Parameters<AlertHistory['notice']>[0]): void {
    try {
      this.history().notice(n);
    } catch (err) {
      console.warn(`[obsdeck] ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** Reads Prometheus' ALERTS into the history; resolves to why it could not, or undefined. */
  sync(): Promise<string | undefined> {
    const prom = this.host.runningPrometheus();
    if (!prom) return Promise.resolve('Prometheus is not running: showing what was recorded');
    this.syncing ??= Promise.resolve()
      .then(() => this.history().syncFromPrometheus(prom, globalEvaluationInterval(this.host.prometheusYml())))
      .then(() => undefined, (err: unknown) => `Prometheus' ALERTS could not be read (${err instanceof Error ? err.message : String(err)}): showing what was recorded`)
      .finally(() => {
        this.syncing = undefined;
      });
    return this.syncing;
  }

  /** What fired while nothing listened, now and every 5 minutes (the webhook tells the rest as it comes). */
  keepUp(): void {
    void this.sync();
    clearInterval(this.timer);
    this.timer = setInterval(() => void this.sync(), 5 * 60_000);
    this.timer.unref();
  }

  close(): void {
    clearInterval(this.timer);
    this.store?.close();
    this.store = undefined;
  }
}
