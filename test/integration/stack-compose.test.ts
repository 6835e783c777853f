// observability/docker-compose.yml run the way a user without the app would: with Debian's
// docker-compose, on the local engine, with the test images and without Grafana (no Grafana image
// exists here). Traffic goes through the real API; Prometheus must scrape it, evaluate every rule
// and dashboard query without error, and answer the seed's queries with series.
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluable } from '../../main/config/expressions.js';
import { basicAuth } from '../../main/config/stack-auth.js';
import { stackAuthFor } from '../../scripts/stack-auth.js';
import { httpOk, waitFor } from '../helpers/http.js';
import { freePort } from '../helpers/net.js';
import { requireImages, testImages } from '../helpers/images.js';
import { shippedExpressions } from '../helpers/shipped.js';
import { SEED_QUERIES } from '../../renderer/lib/seed-queries.js';

const docker = new Docker();
const project = `obsdeck-it-${process.pid}`;
const composeFile = path.resolve('observability', 'docker-compose.yml');
const services = ['api_poc3', 'prometheus', 'alertmanager'];


let ports: { api: number; prometheus: number; alertmanager: number };
const passwords = { admin: crypto.randomBytes(12).toString('base64url'), user: crypto.randomBytes(12).toString('base64url') };

async function compose(...args: string[]): Promise<string> {
  const env = {
    ...process.env,
    PROMETHEUS_IMAGE: testImages.prometheus,
    ALERTMANAGER_IMAGE: testImages.alertmanager,
    NODE_IMAGE: testImages.node,
    API_IMAGE: testImages.api,
    API_PORT: String(ports.api),
    PROMETHEUS_PORT: String(ports.prometheus),
    ALERTMANAGER_PORT: String(ports.alertmanager),
    API_ADMIN_PASSWORD: passwords.admin,
    API_USER_PASSWORD: passwords.user,
  };
  try {
    const { stdout, stderr } = await promisify(execFile)('docker-compose', ['-p', project, '-f', composeFile, ...args], { env, maxBuffer: 16 << 20 });
    return stdout + stderr;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`docker-compose ${args.join(' ')} failed: ${e.stderr ?? ''}${e.stdout ?? ''}${e.message}`, { cause: err });
  }
}

// The stack's credentials, as `npm run stack:auth` makes them for a run without the app.
const auth = stackAuthFor();
const signed = { authorization: basicAuth(auth) };
const api = (p: string) => `http://127.0.0.1:${ports.api}${p}`;
const prom = (p: string) => `http://127.0.0.1:${ports.prometheus}${p}`;

async function call(method: string, p: string, body?: unknown, token?: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(api(p), { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

interface QueryResult { status: string; error?: string; data?: { result: unknown[] } }
async function query(expr: string): Promise<QueryResult> {
  const res = await fetch(prom('/api/v1/query'), { method: 'POST', headers: signed, body: new URLSearchParams({ query: expr }) });
  return (await res.json()) as QueryResult;
}

/** Traffic that touches every metric family: logins good and bad, customers, 403s, a reused refresh token. */
async function traffic(): Promise<number> {
  let requests = 0;
  const go = async (...a: Parameters<typeof call>) => {
    requests++;
    return call(...a);
  };
  const admin = await go('POST', '/auth/login', { username: 'admin', password: passwords.admin });
  const user = await go('POST', '/auth/login', { username: 'user', password: passwords.user });
  expect(admin.status).toBe(200);
  expect(user.status).toBe(200);
  const adminToken = admin.json.access_token as string;
  const userToken = user.json.access_token as string;
  for (let i = 0; i < 3; i++) expect((await go('POST', '/auth/login', { username: 'user', password: 'wrong' })).status).toBe(401);
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) {
    const created = await go('POST', '/customers', { name: `Customer ${i}`, email: `c${i}@example.test`, phone: `+34 600 000 00${i}` }, adminToken);
    expect(created.status).toBe(201);
    ids.push(String(created.json.id));
  }
  expect((await go('GET', '/customers?limit=10', undefined, adminToken)).status).toBe(200);
  expect((await go('GET', `/customers/${ids[0]}`, undefined, userToken)).status).toBe(403);
  expect((await go('GET', '/customers', undefined, 'not-a-token')).status).toBe(401);
  const refresh = user.json.refresh_token as string;
  expect((await go('POST', '/auth/refresh', { refresh_token: refresh })).status).toBe(200);
  expect((await go('POST', '/auth/refresh', { refresh_token: refresh })).status).toBe(401); // reuse
  return requests;
}

beforeAll(async () => {
  await requireImages(docker, [testImages.prometheus, testImages.alertmanager, testImages.api]);
  ports = { api: await freePort(), prometheus: await freePort(), alertmanager: await freePort() };
  await compose('up', '-d', '--no-build', ...services);
  await waitFor('the API, Prometheus and Alertmanager to be ready', async () =>
    (await httpOk(api('/health'))) && (await httpOk(prom('/-/ready'), signed)) && (await httpOk(`http://127.0.0.1:${ports.alertmanager}/-/ready`, signed)), 60_000);
}, 180_000);

afterAll(async () => {
  if (ports) await compose('down', '--volumes', '--remove-orphans').catch((err: unknown) => console.error(err));
}, 120_000);

describe('the compose stack (docker-compose, without Grafana)', () => {
  it('lets nobody without the stack\'s user read Prometheus or Alertmanager, stop or reload them, or make a silence', async () => {
    const am = (p: string) => `http://127.0.0.1:${ports.alertmanager}${p}`;
    // What any local process, container or web page could send (a simple POST needs no preflight).
    expect((await fetch(prom('/-/quit'), { method: 'POST' })).status).toBe(401);
    expect((await fetch(prom('/-/reload'), { method: 'POST' })).status).toBe(401);
    expect((await fetch(prom('/api/v1/query?query=up'))).status).toBe(401);
    expect((await fetch(am('/api/v2/alerts'))).status).toBe(401);
    const silence = { matchers: [{ name: 'alertname', value: '.+', isRegex: true }], startsAt: new Date().toISOString(), endsAt: new Date(Date.now() + 3600_000).toISOString(), createdBy: 'x', comment: 'x' };
    expect((await fetch(am('/api/v2/silences'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(silence) })).status).toBe(401);
    expect((await fetch(prom('/-/quit'), { method: 'POST', headers: { authorization: basicAuth({ username: 'obsdeck', password: 'guess' }) } })).status).toBe(401);
    // Still up, and the stack's user gets in.
    expect(await httpOk(prom('/-/ready'), signed)).toBe(true);
    expect(await httpOk(am('/api/v2/status'), signed)).toBe(true);
  });

  it('publishes every port on 127.0.0.1 only, with the data in named volumes', async () => {
    const containers = await docker.listContainers({ filters: { label: [`com.docker.compose.project=${project}`] } });
    expect(containers.map((c) => c.Labels['com.docker.compose.service']).sort()).toEqual([...services].sort());
    for (const c of containers) {
      const published = c.Ports.filter((p) => p.PublicPort);
      expect(published.length, c.Names[0]).toBeGreaterThan(0);
      for (const p of published) expect(p.IP, `${c.Names[0]} port ${p.PublicPort}`).toBe('127.0.0.1');
      const volumes = c.Mounts.filter((m) => m.Type === 'volume').map((m) => m.Name);
      expect(volumes.length, `${c.Names[0]} keeps its data in a named volume`).toBe(1);
      expect(volumes[0]).toMatch(new RegExp(`^${project}_(api|prometheus|alertmanager)_data$`));
      const configs = c.Mounts.filter((m) => m.Type === 'bind');
      for (const m of configs) expect(m.RW, `${m.Destination} is read-only`).toBe(false);
    }
  });

  it('scrapes the API: the poc3-security target is up, and so are Prometheus and Alertmanager; the app\'s vitals are down without the app', async () => {
    interface Target { labels: { job: string }; health: string; lastError: string; scrapeUrl: string }
    const targets = await waitFor('every service\'s target up, and the vitals\' scraped once', async () => {
      const res = (await (await fetch(prom('/api/v1/targets?state=active'), { headers: signed })).json()) as { data: { activeTargets: Target[] } };
      const t = res.data.activeTargets;
      const services = t.filter((x) => x.labels.job !== 'obsdeck-vitals');
      const vitals = t.find((x) => x.labels.job === 'obsdeck-vitals');
      return services.length === 3 && services.every((x) => x.health === 'up') && vitals && vitals.health !== 'unknown' ? t : undefined;
    }, 30_000, 500);
    expect(targets.find((t) => t.labels.job === 'poc3-security')?.scrapeUrl).toBe('http://api_poc3:8083/metrics');
    // docker compose alone runs no Obsdeck app to serve the vitals: the one target that is down, and says why.
    const vitals = targets.find((t) => t.labels.job === 'obsdeck-vitals')!;
    expect(vitals.scrapeUrl).toBe('http://host.docker.internal:5001/metrics/vitals');
    expect(vitals.health).toBe('down');
    expect(vitals.lastError).toMatch(/connection refused|no route to host|i\/o timeout|deadline exceeded/);
  });

  describe('after traffic', () => {
    let sent = 0;
    beforeAll(async () => {
      sent = await traffic();
      await waitFor('the traffic scraped', async () => {
        const total = await query('sum(http_requests_total{job="poc3-security"})');
        return Number((total.data?.result[0] as { value: [number, string] } | undefined)?.value[1] ?? 0) >= sent ? true : undefined;
      }, 30_000, 500);
      // A series is born with its first value, so rate() sees growth only from the next scrape
      // on: a second round of requests, then a rule evaluation (every 15 s), make the rates and
      // recording rules non-zero.
      const login = await call('POST', '/auth/login', { username: 'admin', password: passwords.admin });
      for (let i = 0; i < 3; i++) await call('GET', '/customers', undefined, login.json.access_token as string);
      await waitFor('the recording rules evaluated over the traffic', async () => {
        const recorded = await query('job:http_requests:rate5m{job="poc3-security"} > 0');
        return recorded.data?.result.length ? true : undefined;
      }, 60_000, 1000);
    }, 120_000);

    it('every expression of the rules and the dashboards evaluates without error', async () => {
      const all = shippedExpressions();
      const failures: string[] = [];
      for (const e of all) {
        const r = await query(evaluable(e));
        if (r.status !== 'success') failures.push(`${e.file} ${e.where}: ${r.error ?? r.status}`);
      }
      expect(failures).toEqual([]);
      expect(all.length).toBeGreaterThan(40);
    });

    it('every rule is loaded and healthy, and Prometheus sends to the stack\'s Alertmanager', async () => {
      interface Rule { name: string; health: string; lastError?: string }
      const rules = await waitFor('every rule evaluated', async () => {
        const res = (await (await fetch(prom('/api/v1/rules'), { headers: signed })).json()) as { data: { groups: { rules: (Rule & { lastEvaluation: string })[] }[] } };
        const r = res.data.groups.flatMap((g) => g.rules);
        return r.every((x) => !x.lastEvaluation.startsWith('0001')) ? r : undefined;
      }, 30_000, 1000);
      // The seed's 14 and the Watchdog, and the two objectives' 28 (slo_rules.yml, from slos.yml).
      expect(rules.filter((r) => !/^slo:|ErrorBudgetBurn/.test(r.name))).toHaveLength(15);
      expect(rules).toHaveLength(15 + 28);
      expect(rules.filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.lastError ?? r.health}`)).toEqual([]);
      const am = (await (await fetch(prom('/api/v1/alertmanagers'), { headers: signed })).json()) as { data: { activeAlertmanagers: { url: string }[] } };
      expect(am.data.activeAlertmanagers.map((a) => a.url)).toEqual(['http://alertmanager:9093/api/v2/alerts']);
    });

    // The seed's queries ("Consultas PromQL Útiles"), corrected where the seed's PromQL is invalid
    // (see prometheus_rules.yml). Those about 5xx errors stay empty on a healthy API.
    const seedQueries: [string, boolean][] = [
      // Explore's catalogue of them (renderer/lib/seed-queries.ts): every one runs here.
      ...SEED_QUERIES.flatMap((g) => g.queries.map((x): [string, boolean] => [x.expr, x.expectsSeries])),
      ['sum(rate(http_requests_total{status!~"5.."}[5m])) / sum(rate(http_requests_total[5m]))', true],
    ];

    it('the seed\'s queries return series', async () => {
      const empty: string[] = [];
      for (const [expr, expectSeries] of seedQueries) {
        const r = await query(expr);
        expect(r.status, `${expr}: ${r.error ?? ''}`).toBe('success');
        if (expectSeries && !r.data?.result.length) empty.push(expr);
      }
      expect(empty).toEqual([]);
    });

    it('the traffic shows up as the user would read it', async () => {
      const value = async (expr: string) => Number((((await query(expr)).data?.result[0]) as { value: [number, string] } | undefined)?.value[1]);
      expect(await value('sum(http_requests_total{endpoint="/auth/login", status="401"})')).toBe(3);
      expect(await value('sum(http_requests_total{endpoint="/customers", method="POST", status="201"})')).toBe(5);
      expect(await value('sum(encryption_operations_total{operation_type="encrypt"})')).toBe(10); // email and phone of 5
      expect(await value('security_events_total{event_type="refresh_reuse"}')).toBe(1);
      expect(await value('security_events_total{event_type="forbidden"}')).toBe(1);
    });
  });
});
