// The Alertmanager webhook receiver of observability/alertmanager.yml
// (http://host.docker.internal:5001/alertmanager), hosted by the app: each notification becomes
// "firing" and "resolved" events the desktop turns into notifications and a badge.
//
// Where it listens is a deliberate choice. Alertmanager runs in a container, and
// host.docker.internal is mapped to the host gateway: on Linux that is the default bridge's
// gateway address (docker0, e.g. 172.17.0.1), which a server on 127.0.0.1 cannot be reached on,
// and 0.0.0.0 would open it to the network. So on a local Linux engine it listens on the bridge
// gateway only (reachable from this machine's containers, not from other machines); with Docker
// Desktop (macOS, Windows), whose host.docker.internal reaches the host's loopback, on 127.0.0.1.
//
// Every container on the machine reaches that address, so it trusts nothing it is sent: a
// notification must carry this install's token (Alertmanager's http_config authorization, the
// token copied in with the configs), be application/json, and stay within the caps on the
// alerts held and the notices raised a minute. What it refuses is counted and shown.
import crypto from 'node:crypto';
import http from 'node:http';
import { EventEmitter } from 'node:events';
import type Docker from 'dockerode';
import { z } from 'zod';
import { bridgeGateway } from '../engine/host-gateway.js';
import type { AlertNotice, NoticesState } from '../contract.js';

export const WEBHOOK_PATH = '/alertmanager';
/** GET <this>/<fingerprint> (with the token): whether a path test's alert arrived; `obsdeck alerts test` asks the app's receiver this. */
export const PATH_TEST_PATH = '/alertmanager/path-test/';
/** The label of a path test's synthetic alerts (observability/alertmanager.yml routes them to obsdeck only). */
export const PATH_TEST_LABEL = 'obsdeck_path_test';
/** The rule that always fires: its repeated notifications are the alert path's heartbeat. */
export const WATCHDOG = 'Watchdog';
export const DEFAULT_WEBHOOK_PORT = 5001;
const MAX_BODY = 1 << 20;
/** Resolved alerts kept for the "recent" list. */
const RECENT = 50;
/** Firing alerts held at most; past it, new ones are refused (and counted), the held ones kept. */
export const MAX_FIRING = 500;
/** Notices raised a minute at most; past it, changes are still recorded but raise no notice. */
export const MAX_NOTICES_PER_MINUTE = 30;

const Payload = z.object({
  version: z.string(),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string(),
  alerts: z.array(z.object({
    status: z.enum(['firing', 'resolved']),
    labels: z.record(z.string(), z.string()),
    annotations: z.record(z.string(), z.string()).default({}),
    startsAt: z.string(),
    endsAt: z.string().optional(),
    fingerprint: z.string().regex(/^[0-9a-f]{1,32}$/),
  })).max(1000),
});

export type { AlertNotice, NoticesState as ReceiverState } from '../contract.js';

/** Where host.docker.internal (host-gateway) lands for this engine. */
export async function webhookHost(docker: Docker | undefined, platform = process.platform, endpoint = ''): Promise<string> {
  const localLinux = platform === 'linux' && (endpoint === '' || endpoint.startsWith('unix://'));
  if (!localLinux || !docker) return '127.0.0.1';
  return (await bridgeGateway(docker)) ?? '127.0.0.1';
}

/**
 * Keeps the alerts Alertmanager reported as firing (by fingerprint) and emits `notice` for each
 * change: a new firing alert, or one that resolved. A repeat of a firing alert (Alertmanager
 * re-sends the whole group) is not a new notice.
 */
export class AlertReceiver extends EventEmitter<{ notice: [AlertNotice]; error: [string] }> {
  private server?: http.Server;
  private url?: string;
  private bound?: { host: string; port: number };
  /** When the last notification from Alertmanager was taken (ms since the epoch). */
  lastReceivedAt?: number;
  /** When the Watchdog's heartbeat last arrived, and since when the receiver listens (ms since the epoch). */
  lastHeartbeatAt?: number;
  listeningSince?: number;
  private readonly pathTests = new Map<string, { firing?: string; resolved?: string }>();
  /** The last check of the path from the stack's network to this receiver (set by the host). */
  path?: NonNullable<NoticesState['path']>;
  private failure?: string;
  private token?: Buffer;
  private readonly firing = new Map<string, AlertNotice>();
  private readonly resolved: AlertNotice[] = [];
  private refused?: NonNullable<NoticesState['refused']>;
  private readonly noticeTimes: number[] = [];
  private readonly exposed = new Map<string, { token: Buffer; body: () => string }>();

  constructor(private readonly now: () => number = Date.now) {
    super();
  }

  /** Set while alerts come by polling Alertmanager (a remote engine) rather than by the webhook. */
  pollingEveryS?: number;

  state(): NoticesState {
    return {
      ...(this.url ? { listening: this.url } : {}),
      ...(this.pollingEveryS ? { pollingEveryS: this.pollingEveryS } : {}),
      ...(this.failure ? { error: this.failure } : {}),
      ...(this.refused ? { refused: { ...this.refused } } : {}),
      ...(this.path ? { path: { ...this.path } } : {}),
      firing: [...this.firing.values()],
      resolved: [...this.resolved],
    };
  }

  /** Notifications are taken only with `Authorization: Bearer <token>` (this install's). */
  requireToken(token: string): void {
    this.token = Buffer.from(`Bearer ${token}`);
  }

  /**
   * Serves `body()` in Prometheus' text format on GET `path`, to requests with
   * `Authorization: Bearer <token>` only: the stack's Prometheus scrapes the app's vitals here,
   * with a token of its own (not the webhook's: a scrape job's credentials cannot send alerts).
   */
  exposeMetrics(path: string, token: string, body: () => string): void {
    this.exposed.set(path, { token: Buffer.from(`Bearer ${token}`), body });
  }

  private refuse(why: string): void {
    this.refused = { count: (this.refused?.count ?? 0) + 1, last: why, at: new Date(this.now()).toISOString() };
  }

  /** Raises a notice unless this minute's are used up (the change itself is recorded either way). */
  private raise(notice: AlertNotice): void {
    const t = this.now();
    while (this.noticeTimes.length && t - this.noticeTimes[0]! >= 60_000) this.noticeTimes.shift();
    if (this.noticeTimes.length >= MAX_NOTICES_PER_MINUTE) {
      this.refuse(`more than ${MAX_NOTICES_PER_MINUTE} notifications in a minute: the rest are counted, not raised`);
      return;
    }
    this.noticeTimes.push(t);
    this.emit('notice', notice);
  }

  /** Takes one webhook payload; returns the notices it caused. */
  accept(body: unknown, now = new Date()): AlertNotice[] {
    const payload = Payload.parse(body);
    const out: AlertNotice[] = [];
    for (const a of payload.alerts) {
      if (this.infrastructure(a, now)) continue;
      const notice: AlertNotice = {
        fingerprint: a.fingerprint,
        status: a.status,
        alertname: a.labels.alertname ?? '(no alertname)',
        labels: a.labels,
        startsAt: a.startsAt,
        receivedAt: now.toISOString(),
        ...(a.labels.severity ? { severity: a.labels.severity } : {}),
        ...(a.annotations.summary ? { summary: a.annotations.summary } : {}),
        ...(a.annotations.description ? { description: a.annotations.description } : {}),
        ...(a.endsAt && a.status === 'resolved' ? { endsAt: a.endsAt } : {}),
      };
      if (a.status === 'firing') {
        if (this.firing.has(a.fingerprint)) continue;
        if (this.firing.size >= MAX_FIRING) {
          this.refuse(`more than ${MAX_FIRING} alerts firing at once: ${notice.alertname} and later ones were not taken`);
          continue;
        }
        this.firing.set(a.fingerprint, notice);
      } else {
        if (!this.firing.delete(a.fingerprint)) continue; // resolved before we saw it fire: nothing to clear
        this.resolved.unshift(notice);
        this.resolved.length = Math.min(this.resolved.length, RECENT);
      }
      out.push(notice);
      this.raise(notice);
    }
    return out;
  }

  /**
   * The alert path's own alerts, which are not news for the user: a path test's synthetic alert
   * (recorded by fingerprint for the test to find) and the Watchdog's heartbeat. True when `a` was one.
   */
  private infrastructure(a: { status: string; labels: Record<string, string>; fingerprint: string }, now: Date): boolean {
    if (a.labels[PATH_TEST_LABEL] === 'true') {
      const seen = this.pathTests.get(a.fingerprint) ?? {};
      seen[a.status === 'resolved' ? 'resolved' : 'firing'] ??= now.toISOString();
      this.pathTests.set(a.fingerprint, seen);
      while (this.pathTests.size > 100) this.pathTests.delete(this.pathTests.keys().next().value!);
      return true;
    }
    if (a.labels.alertname === WATCHDOG) {
      this.lastHeartbeatAt = now.getTime();
      return true;
    }
    return false;
  }

  /** When this receiver saw a path test's alert (by Alertmanager's fingerprint) firing and resolved. */
  pathTestSeen(fingerprint: string): { firing?: string; resolved?: string } | undefined {
    const seen = this.pathTests.get(fingerprint);
    return seen && { ...seen };
  }

  /**
   * Polling instead of the webhook: Alertmanager's active alerts for the app's receiver, now.
   * A new one is a firing notice; one that was firing and is no longer listed is resolved.
   */
  reconcile(active: { fingerprint: string; labels: Record<string, string>; annotations: Record<string, string>; startsAt: string }[], now = new Date()): AlertNotice[] {
    active = active.filter((a) => !this.infrastructure({ ...a, status: 'firing' }, now));
    const listed = new Set(active.map((a) => a.fingerprint));
    const alerts = [
      ...active.filter((a) => !this.firing.has(a.fingerprint)).map((a) => ({ ...a, status: 'firing' as const })),
      ...[...this.firing.values()].filter((n) => !listed.has(n.fingerprint)).map((n) => ({
        fingerprint: n.fingerprint, labels: n.labels, startsAt: n.startsAt, status: 'resolved' as const, endsAt: now.toISOString(),
        annotations: { ...(n.summary ? { summary: n.summary } : {}), ...(n.description ? { description: n.description } : {}) },
      })),
    ];
    return alerts.length ? this.accept({ version: '4', status: 'firing', receiver: 'obsdeck', alerts }, now) : [];
  }

  /**
   * Takes what Alertmanager already holds as firing (at start, when the app was not listening
   * as it began), without a notice: the badge counts them, no notification pops up for old news.
   */
  seed(alerts: { fingerprint: string; labels: Record<string, string>; annotations: Record<string, string>; startsAt: string }[], now = new Date()): void {
    for (const a of alerts) {
      if (this.firing.has(a.fingerprint) || this.infrastructure({ ...a, status: 'firing' }, now)) continue;
      this.firing.set(a.fingerprint, {
        fingerprint: a.fingerprint, status: 'firing', alertname: a.labels.alertname ?? '(no alertname)', labels: a.labels, startsAt: a.startsAt, receivedAt: now.toISOString(),
        ...(a.labels.severity ? { severity: a.labels.severity } : {}),
        ...(a.annotations.summary ? { summary: a.annotations.summary } : {}),
        ...(a.annotations.description ? { description: a.annotations.description } : {}),
      });
    }
  }

  /**
   * Clears firing alerts that Alertmanager now reports silenced (by fingerprint): it sends
   * nothing for a silenced alert, not even its resolution, so without this its notification
   * and badge would stay.
   */
  silenced(fingerprints: Iterable<string>, now = new Date()): AlertNotice[] {
    const out: AlertNotice[] = [];
    for (const fp of fingerprints) {
      const n = this.firing.get(fp);
      if (!n) continue;
      this.firing.delete(fp);
      const notice: AlertNotice = { ...n, status: 'silenced', receivedAt: now.toISOString() };
      out.push(notice);
      this.emit('notice', notice);
    }
    return out;
  }

  /** Listens on host:port; a failure (port taken) is kept in state() and reported, not thrown. */
  async listen(host: string, port = DEFAULT_WEBHOOK_PORT): Promise<NoticesState> {
    await this.close();
    const server = http.createServer((req, res) => this.request(req, res));
    server.requestTimeout = 10_000;
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      this.server = server;
      const addr = server.address() as { port: number };
      this.url = `http://${host}:${addr.port}${WEBHOOK_PATH}`;
      this.bound = { host, port: addr.port };
      this.listeningSince = this.now();
      this.failure = undefined;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      this.url = undefined;
      this.failure = code === 'EADDRINUSE'
        ? `port ${port} on ${host} is in use (another Obsdeck?): Alertmanager's notifications will not reach this app; alerts still show in the Alerts view`
        : `cannot listen on ${host}:${port}: ${(err as Error).message}`;
      this.emit('error', this.failure);
    }
    return this.state();
  }

  /** Where it listens now (undefined while it does not). */
  address(): { host: string; port: number } | undefined {
    return this.bound && { ...this.bound };
  }

  async close(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    this.url = undefined;
    this.bound = undefined;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }

  private request(req: http.IncomingMessage, res: http.ServerResponse): void {
    const reply = (status: number, message: string) => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(message);
    };
    const metrics = this.exposed.get(req.url ?? '');
    if (metrics) {
      req.resume();
      if (req.method !== 'GET') return reply(405, 'GET only');
      if (!tokenMatches(req.headers.authorization, metrics.token)) return reply(401, 'these metrics are for the stack\'s Prometheus only');
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(metrics.body());
      return;
    }
    const pathTest = req.url?.startsWith(PATH_TEST_PATH) ? req.url.slice(PATH_TEST_PATH.length) : undefined;
    if (req.url !== WEBHOOK_PATH && pathTest === undefined) return reply(404, `the webhook is at ${WEBHOOK_PATH}`);
    if (pathTest === undefined && req.method !== 'POST') return reply(405, 'POST only');
    if (pathTest !== undefined && req.method !== 'GET') return reply(405, 'GET only');
    if (!this.token || !tokenMatches(req.headers.authorization, this.token)) {
      this.refuse('a notification without this install\'s token (not from the stack\'s Alertmanager)');
      req.resume();
      return reply(401, 'this receiver takes notifications from its own Alertmanager only');
    }
    if (pathTest !== undefined) {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(/^[0-9a-f]{1,32}$/.test(pathTest) ? this.pathTestSeen(pathTest) ?? {} : {}));
      return;
    }
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
      this.refuse(`a notification that is not application/json (${(req.headers['content-type'] ?? 'no type').slice(0, 40)})`);
      req.resume();
      return reply(415, 'application/json only');
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reply(413, 'too large');
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (size > MAX_BODY) return;
      try {
        this.accept(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        this.lastReceivedAt = this.now();
        reply(200, 'ok');
      } catch (err) {
        reply(400, err instanceof z.ZodError ? `not an Alertmanager webhook payload: ${err.issues[0]?.path.join('.') ?? ''} ${err.issues[0]?.message ?? ''}` : 'not JSON');
      }
    });
  }
}

/** Whether an Authorization header is exactly `expected`, compared in constant time. */
function tokenMatches(header: string | undefined, expected: Buffer): boolean {
  const given = Buffer.from(header ?? '');
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}
