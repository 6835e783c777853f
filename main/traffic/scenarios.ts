// Traffic for the POC3 API, so a new user sees the stack move: each scenario drives the metrics
// (and, where it should, an alert) it is named for. Bounded in rate and duration, and only ever
// sent to this machine.

import type { TrafficScenario } from '../contract.js';
import { serviceBase, type StackSpec } from '../stack/compose.js';

/** Every scenario of the contract, each with what it does (the UI and `obsdeck traffic` show it). */
export const SCENARIOS: Record<TrafficScenario, string> = {
  normal: 'logins, token refreshes and customer create/read/update/delete, as a user would',
  'brute-force': 'wrong passwords for "mallory" until the login rate limit answers 429 (fires LoginRateLimited); past 60 attempts a minute the API refuses every login from this machine for a minute, as a rate limit should',
  forbidden: 'a user reading another user\'s customers, 403 after 403 (fires HighForbiddenRate after 2 minutes at the default rate)',
  'token-reuse': 'a refresh token presented again after it was spent (fires RefreshTokenReuse)',
  'error-storm': 'requests the API answers with 500 (its API_FAULTS route), so the error ratio climbs (fires HighErrorRate after 2 minutes)',
  slow: 'requests that take 1.5 s each, sent in parallel at the rate (fires HighLatency after 5 minutes, when they are most of the traffic)',
};
export type Scenario = TrafficScenario;

export const LIMITS = { maxRate: 50, maxDurationS: 600 } as const;
/** What a run takes when not told: the UI and `obsdeck traffic` alike. */
export const DEFAULTS = { durationS: 60, rate: 5 } as const;
/** Parallel (slow) requests outstanding at once. */
const MAX_IN_FLIGHT = 50;

export interface TrafficOptions {
  /** The API's base URL; must be on 127.0.0.1 or localhost. */
  base: string;
  passwords: { admin: string; user: string };
  durationS?: number;
  /** Requests per second. */
  rate?: number;
  signal?: AbortSignal;
  onProgress?: (stats: TrafficStats) => void;
  /**
   * Asked before each step: false while the API does not hold its port (it restarts, or is being
   * recreated), when the step is skipped rather than sending its passwords to whoever holds it.
   */
  allowed?: () => boolean;
  /** Each answer's status and how long it took (the replica bench's latency percentiles). */
  onResponse?: (status: number, ms: number) => void;
}

export interface TrafficStats {
  scenario: Scenario;
  sent: number;
  byStatus: Record<string, number>;
  elapsedS: number;
}

export class TrafficError extends Error {}

/** Where the stack's API is published, and the passwords the app gave its users. */
export function stackApi(spec: StackSpec): Pick<TrafficOptions, 'base' | 'passwords'> {
  const api = spec.services.find((s) => s.name === 'api_poc3');
  const base = api && serviceBase(api);
  if (!api || !base) throw new TrafficError('the stack has no published API port');
  return { base, passwords: { admin: api.environment.API_ADMIN_PASSWORD ?? '', user: api.environment.API_USER_PASSWORD ?? '' } };
}

function checkBase(base: string): URL {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new TrafficError(`"${base}" is not a URL`);
  }
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) throw new TrafficError(`traffic goes to this machine only, not ${url.hostname}`);
  return url;
}

interface Call { status: number; json: Record<string, unknown> }
type Tokens = { access: string; refresh: string };

/** The API as a scenario calls it: every answer counted in `stats` and reported to onResponse. */
function apiClient(base: string, opts: TrafficOptions, stats: TrafficStats) {
  const call = async (method: string, p: string, body?: unknown, token?: string): Promise<Call> => {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (token) headers.authorization = `Bearer ${token}`;
    const t0 = performance.now();
    const res = await fetch(`${base}${p}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.any([AbortSignal.timeout(10_000), ...(opts.signal ? [opts.signal] : [])]) });
    const text = await res.text();
    opts.onResponse?.(res.status, performance.now() - t0);
    stats.sent++;
    stats.byStatus[res.status] = (stats.byStatus[res.status] ?? 0) + 1;
    let json: Record<string, unknown> = {};
    try {
      json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch { /* not JSON */ }
    return { status: res.status, json };
  };
  const login = async (username: 'admin' | 'user'): Promise<Tokens> => {
    const r = await call('POST', '/auth/login', { username, password: opts.passwords[username] });
    if (r.status !== 200) throw new TrafficError(`logging in as ${username} answered ${r.status}: ${typeof r.json.message === 'string' ? r.json.message : ''} (are the passwords the stack's?)`);
    return { access: r.json.access_token as string, refresh: r.json.refresh_token as string };
  };
  // The fault routes take an admin's token (the API refuses anyone else); logged in when first used.
  let adminToken: Promise<string> | undefined;
  const fault = async (p: string) => {
    adminToken ??= login('admin').then((t) => t.access);
    const r = await call('GET', p, undefined, await adminToken);
    if (r.status === 404) throw new TrafficError(`the API has no ${p.split('?')[0]!} route: its fault injection is off (start the stack with API_FAULTS=on)`);
  };
  return { call, login, fault };
}
type Client = ReturnType<typeof apiClient>;

/** A user's day: create, list, read, update, refresh, now and then delete. */
async function normalStep({ call, login }: Client): Promise<() => Promise<void>> {
  let admin = await login('admin');
  const user = await login('user');
  let i = 0;
  const firstCustomer = async () => ((await call('GET', '/customers?limit=1', undefined, admin.access)).json.items as { id: number }[] | undefined)?.[0];
  return async () => {
    const n = i++;
    switch (n % 6) {
      case 0: {
        const created = await call('POST', '/customers', { name: `Traffic ${n}`, email: `t${n}@example.test`, phone: `+34 600 ${String(n % 1000).padStart(3, '0')} 000` }, admin.access);
        if (created.status === 201) await call('GET', `/customers/${String(created.json.id)}`, undefined, admin.access);
        break;
      }
      case 1: await call('GET', '/customers?limit=20', undefined, admin.access); break;
      case 2: await call('GET', '/customers', undefined, user.access); break;
      case 3: {
        const first = await firstCustomer();
        if (first) await call('PUT', `/customers/${first.id}`, { name: `Updated ${n}`, email: `u${n}@example.test`, phone: '+34 600 111 222' }, admin.access);
        break;
      }
      case 4: {
        const r = await call('POST', '/auth/refresh', { refresh_token: admin.refresh });
        if (r.status === 200) admin = { access: r.json.access_token as string, refresh: r.json.refresh_token as string };
        break;
      }
      default: {
        const first = await firstCustomer();
        if (first && n % 12 === 5) await call('DELETE', `/customers/${first.id}`, undefined, admin.access);
      }
    }
  };
}

/**
 * Each scenario's step (one a tick, at the rate), made once before the run; `parallel` steps are
 * not waited for before the next is sent (slow requests).
 */
const STEPS: Record<Scenario, (c: Client) => Promise<{ step: () => Promise<void>; parallel?: boolean }>> = {
  normal: async (c) => ({ step: await normalStep(c) }),
  'brute-force': async ({ call }) => {
    let i = 0;
    // Not a real account: the per-username lockout then falls on the attacker's guess, not on admin.
    return { step: async () => { await call('POST', '/auth/login', { username: 'mallory', password: `guess-${i++}` }); } };
  },
  forbidden: async ({ call, login }) => {
    let admin = await login('admin');
    let user = await login('user');
    // Someone else's customer for the user to read: made again when it is gone (the normal
    // scenario deletes customers too), so the run keeps answering 403 rather than 404.
    const victim = async (): Promise<string> => {
      let created = await call('POST', '/customers', { name: 'Not yours', email: 'private@example.test', phone: '+34 600 000 001' }, admin.access);
      if (created.status === 401) {
        admin = await login('admin');
        created = await call('POST', '/customers', { name: 'Not yours', email: 'private@example.test', phone: '+34 600 000 001' }, admin.access);
      }
      return String(created.json.id);
    };
    let id = await victim();
    return {
      step: async () => {
        const r = await call('GET', `/customers/${id}`, undefined, user.access);
        // A token the API no longer takes (it was recreated meanwhile): log in again, as a client would.
        if (r.status === 401) user = await login('user');
        if (r.status === 404) id = await victim();
      },
    };
  },
  'token-reuse': async ({ call, login }) => ({
    step: async () => {
      const t = await login('user');
      await call('POST', '/auth/refresh', { refresh_token: t.refresh });
      await call('POST', '/auth/refresh', { refresh_token: t.refresh }); // spent: reuse
    },
  }),
  'error-storm': async ({ fault }) => ({ step: () => fault('/debug/error') }),
  slow: async ({ fault }) => {
    await fault('/debug/slow?ms=10'); // fails fast when the route is off
    return { step: () => fault('/debug/slow?ms=1500'), parallel: true };
  },
};

export async function runTraffic(scenario: Scenario, opts: TrafficOptions): Promise<TrafficStats> {
  if (!(scenario in SCENARIOS)) throw new TrafficError(`no scenario "${scenario}" (there are ${Object.keys(SCENARIOS).join(', ')})`);
  const base = checkBase(opts.base).origin;
  const durationS = Math.min(Math.max(opts.durationS ?? DEFAULTS.durationS, 1), LIMITS.maxDurationS);
  const rate = Math.min(Math.max(opts.rate ?? DEFAULTS.rate, 0.2), LIMITS.maxRate);
  const stats: TrafficStats = { scenario, sent: 0, byStatus: {}, elapsedS: 0 };
  const started = Date.now();
  const { step, parallel = false } = await STEPS[scenario](apiClient(base, opts, stats));

  // One step a tick, at the given rate, until the duration is up or the caller aborts (at most
  // MAX_IN_FLIGHT parallel steps at once).
  const every = 1000 / rate;
  let next = Date.now();
  let fatal: TrafficError | undefined;
  const inFlight = new Set<Promise<void>>();
  const once = async () => {
    try {
      await step();
    } catch (err) {
      if (opts.signal?.aborted) return;
      if (err instanceof TrafficError) fatal ??= err;
      else stats.byStatus.error = (stats.byStatus.error ?? 0) + 1; // a network error: counted, not fatal
    }
  };
  while (Date.now() - started < durationS * 1000 && !opts.signal?.aborted && fatal === undefined) {
    if (opts.allowed && !opts.allowed()) {
      // The API's port is not its own now: nothing is sent until it is again.
    } else if (parallel) {
      if (inFlight.size >= MAX_IN_FLIGHT) await Promise.race(inFlight);
      const p = once().finally(() => inFlight.delete(p));
      inFlight.add(p);
    } else {
      await once();
    }
    stats.elapsedS = (Date.now() - started) / 1000;
    opts.onProgress?.({ ...stats, byStatus: { ...stats.byStatus } });
    next += every;
    const wait = next - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    else next = Date.now(); // behind: do not burst to catch up
  }
  await Promise.all(inFlight);
  if (fatal !== undefined) throw fatal;
  stats.elapsedS = (Date.now() - started) / 1000;
  return stats;
}
