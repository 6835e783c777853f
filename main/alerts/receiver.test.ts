import net from 'node:net';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { AlertReceiver, MAX_FIRING, MAX_NOTICES_PER_MINUTE, webhookHost } from './receiver.js';
import type { AlertNotice } from '../contract.js';
import { checkAnswer, encode, raw, request } from '../../test/helpers/fuzz.js';

const alert = (status: 'firing' | 'resolved', fingerprint: string, name = 'LoginRateLimited') => ({
  status, fingerprint, startsAt: '2026-11-25T10:00:00Z', endsAt: status === 'resolved' ? '2026-11-25T10:05:00Z' : '0001-01-01T00:00:00Z',
  labels: { alertname: name, severity: 'warning', job: 'poc3-security' },
  annotations: { summary: 'Login rate limit triggered', description: '12 rate-limited logins in 5 minutes' },
});
const payload = (...alerts: ReturnType<typeof alert>[]) => ({ version: '4', status: alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved', receiver: 'obsdeck', groupKey: '{}:{alertname="x"}', alerts });

const TOKEN = 'install-token-for-tests';
const signed = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

let receiver: AlertReceiver;
afterEach(() => receiver.close());

describe('the Alertmanager webhook receiver', () => {
  it('turns a new firing alert into one notice, ignores the repeats, and clears it when resolved', async () => {
    receiver = new AlertReceiver();
    receiver.requireToken(TOKEN);
    const seen: AlertNotice[] = [];
    receiver.on('notice', (n) => seen.push(n));
    const state = await receiver.listen('127.0.0.1', 0);
    expect(state.listening).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/alertmanager$/);
    const post = (body: unknown) => fetch(state.listening!, { method: 'POST', headers: signed, body: JSON.stringify(body) });

    expect((await post(payload(alert('firing', 'aa01')))).status).toBe(200);
    expect((await post(payload(alert('firing', 'aa01'), alert('firing', 'bb02', 'HighForbiddenRate')))).status).toBe(200); // group re-sent
    expect(seen.map((n) => `${n.alertname} ${n.status}`)).toEqual(['LoginRateLimited firing', 'HighForbiddenRate firing']);
    expect(seen[0]).toMatchObject({ severity: 'warning', summary: 'Login rate limit triggered', description: '12 rate-limited logins in 5 minutes' });
    expect(receiver.state().firing).toHaveLength(2);

    await post(payload(alert('resolved', 'aa01')));
    await post(payload(alert('resolved', 'aa01'))); // twice: one notice
    await post(payload(alert('resolved', 'cc03'))); // never seen firing: nothing to clear
    expect(seen.map((n) => `${n.alertname} ${n.status}`)).toEqual(['LoginRateLimited firing', 'HighForbiddenRate firing', 'LoginRateLimited resolved']);
    expect(receiver.state().firing.map((n) => n.alertname)).toEqual(['HighForbiddenRate']);
    expect(receiver.state().resolved.map((n) => n.alertname)).toEqual(['LoginRateLimited']);
  });

  it('clears the alerts Alertmanager reports silenced', async () => {
    receiver = new AlertReceiver();
    receiver.accept(payload(alert('firing', 'aa01'), alert('firing', 'bb02', 'HighForbiddenRate')));
    expect(receiver.silenced(['aa01', 'ff99']).map((n) => `${n.alertname} ${n.status}`)).toEqual(['LoginRateLimited silenced']);
    expect(receiver.silenced(['aa01'])).toEqual([]);
    expect(receiver.state().firing.map((n) => n.alertname)).toEqual(['HighForbiddenRate']);
  });

  it('polling a remote engine\'s Alertmanager: a newly listed alert is one firing notice, one no longer listed is resolved', () => {
    const r = new AlertReceiver();
    const seen: AlertNotice[] = [];
    r.on('notice', (n) => seen.push(n));
    const a = { fingerprint: 'aa01', labels: { alertname: 'LoginRateLimited', severity: 'warning' }, annotations: { summary: 'logins rate-limited' }, startsAt: '2026-11-30T10:00:00Z' };
    expect(r.reconcile([a]).map((n) => `${n.alertname} ${n.status}`)).toEqual(['LoginRateLimited firing']);
    expect(r.reconcile([a])).toEqual([]); // still listed: no second notice
    expect(r.reconcile([]).map((n) => `${n.alertname} ${n.status} ${n.summary}`)).toEqual(['LoginRateLimited resolved logins rate-limited']);
    expect(r.state().firing).toEqual([]);
    expect(seen).toHaveLength(2);
  });

  it('counts what already fired before it listened, without a notice, and clears it as usual', () => {
    receiver = new AlertReceiver();
    const seen: AlertNotice[] = [];
    receiver.on('notice', (n) => seen.push(n));
    const old = alert('firing', 'aa01');
    receiver.seed([old]);
    expect(seen).toEqual([]);
    expect(receiver.state().firing.map((n) => n.alertname)).toEqual(['LoginRateLimited']);
    receiver.accept(payload(old)); // the group repeated: not news
    expect(seen).toEqual([]);
    receiver.accept(payload(alert('resolved', 'aa01')));
    expect(seen.map((n) => n.status)).toEqual(['resolved']);
  });

  it('refuses what is not an Alertmanager payload, and anything but POST /alertmanager', async () => {
    receiver = new AlertReceiver();
    receiver.requireToken(TOKEN);
    const { listening } = await receiver.listen('127.0.0.1', 0);
    const base = listening!.replace('/alertmanager', '');
    const bad = await fetch(listening!, { method: 'POST', headers: signed, body: JSON.stringify({ alerts: [{ status: 'firing' }] }) });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/not an Alertmanager webhook payload/);
    expect((await fetch(listening!, { method: 'POST', headers: signed, body: '{' })).status).toBe(400);
    expect((await fetch(listening!)).status).toBe(405);
    expect((await fetch(`${base}/other`, { method: 'POST', body: '{}' })).status).toBe(404);
    expect((await fetch(listening!, { method: 'POST', headers: signed, body: 'x'.repeat(2 << 20) }).catch(() => ({ status: 413 }))).status).toBe(413);
    expect(receiver.state().firing).toEqual([]);
  });

  it('serves the metrics it was given to GET with their own token only, which the webhook does not take', async () => {
    receiver = new AlertReceiver();
    receiver.requireToken(TOKEN);
    receiver.exposeMetrics('/metrics/vitals', 'vitals-token-for-tests', () => 'container_memory_working_set_bytes{service="api_poc3"} 1\n');
    const { listening } = await receiver.listen('127.0.0.1', 0);
    const url = listening!.replace('/alertmanager', '/metrics/vitals');
    const scrape = (authorization?: string, method = 'GET') => fetch(url, { method, headers: authorization ? { authorization } : {} });
    expect((await scrape()).status).toBe(401);
    expect((await scrape(`Bearer ${TOKEN}`)).status).toBe(401); // the webhook's token is not the scrape's
    expect((await scrape('Bearer vitals-token-for-tests', 'POST')).status).toBe(405);
    const ok = await scrape('Bearer vitals-token-for-tests');
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await ok.text()).toBe('container_memory_working_set_bytes{service="api_poc3"} 1\n');
    // And the vitals' token sends no alert.
    const body = JSON.stringify(payload(alert('firing', 'aa01')));
    expect((await fetch(listening!, { method: 'POST', headers: { ...signed, authorization: 'Bearer vitals-token-for-tests' }, body })).status).toBe(401);
  });

  it('takes notifications only with this install\'s token and as JSON, and says what it turned away', async () => {
    receiver = new AlertReceiver();
    receiver.requireToken(TOKEN);
    const seen: AlertNotice[] = [];
    receiver.on('notice', (n) => seen.push(n));
    const { listening } = await receiver.listen('127.0.0.1', 0);
    const body = JSON.stringify(payload(alert('firing', 'aa01')));
    // Any container (or page) that reaches the receiver: no token, a wrong one, a form post.
    expect((await fetch(listening!, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).status).toBe(401);
    expect((await fetch(listening!, { method: 'POST', headers: { ...signed, authorization: 'Bearer guessed' }, body })).status).toBe(401);
    expect((await fetch(listening!, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'text/plain' }, body })).status).toBe(415);
    expect(seen).toEqual([]);
    expect(receiver.state().refused).toMatchObject({ count: 3, last: expect.stringContaining('not application/json') as unknown });
    expect((await fetch(listening!, { method: 'POST', headers: signed, body })).status).toBe(200);
    expect(seen).toHaveLength(1);
  });

  it('caps the alerts it holds and the notices it raises a minute (60 posts of 1,000 alerts used to be kept)', () => {
    let now = Date.parse('2026-11-25T10:00:00Z');
    receiver = new AlertReceiver(() => now);
    const seen: AlertNotice[] = [];
    receiver.on('notice', (n) => seen.push(n));
    for (let post = 0; post < 60; post++) {
      receiver.accept(payload(...Array.from({ length: 1000 }, (_, i) => alert('firing', (post * 1000 + i).toString(16).padStart(8, '0')))));
    }
    expect(receiver.state().firing).toHaveLength(MAX_FIRING);
    expect(seen).toHaveLength(MAX_NOTICES_PER_MINUTE);
    expect(receiver.state().refused?.count).toBeGreaterThan(0);
    now += 61_000; // a minute later, notices flow again
    receiver.accept(payload(alert('resolved', '00000000')));
    expect(seen.at(-1)).toMatchObject({ status: 'resolved' });
  });

  it('says so, and keeps going, when its port is taken', async () => {
    const taken = net.createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as net.AddressInfo).port;
    receiver = new AlertReceiver();
    receiver.on('error', () => undefined);
    const state = await receiver.listen('127.0.0.1', port);
    taken.close();
    expect(state.listening).toBeUndefined();
    expect(state.error).toBe(`port ${port} on 127.0.0.1 is in use (another Obsdeck?): Alertmanager's notifications will not reach this app; alerts still show in the Alerts view`);
  });

  it('listens on loopback unless the engine is a local Linux one', async () => {
    expect(await webhookHost(undefined, 'linux', 'unix:///var/run/docker.sock')).toBe('127.0.0.1');
    const docker = { getNetwork: () => ({ inspect: () => Promise.resolve({ IPAM: { Config: [{ Subnet: '172.17.0.0/16', Gateway: '172.17.0.1' }] } }) }) };
    expect(await webhookHost(docker as never, 'linux', 'unix:///var/run/docker.sock')).toBe('172.17.0.1');
    expect(await webhookHost(docker as never, 'darwin', 'unix:///var/run/docker.sock')).toBe('127.0.0.1');
    expect(await webhookHost(docker as never, 'linux', 'tcp://10.0.0.5:2376')).toBe('127.0.0.1');
    // A dockerd on its first start names no Gateway: host-gateway is still the subnet's first host.
    const fresh = { getNetwork: () => ({ inspect: () => Promise.resolve({ IPAM: { Config: [{ Subnet: '172.17.0.0/16' }] } }) }) };
    expect(await webhookHost(fresh as never, 'linux', 'unix:///var/run/docker.sock')).toBe('172.17.0.1');
  });

  it('survives generated requests, signed or not: no crash, no 5xx, no stack trace (property-based)', async () => {
    receiver = new AlertReceiver();
    receiver.requireToken(TOKEN);
    const { listening } = await receiver.listen('127.0.0.1', 0);
    const port = Number(new URL(listening!).port);
    const valid = JSON.stringify(payload(alert('firing', 'aa01')));
    await fc.assert(fc.asyncProperty(request(['/alertmanager'], ['Authorization']), fc.boolean(), fc.boolean(), async (r, withToken, validBody) => {
      const body = validBody ? { ...r, body: valid } : r;
      checkAnswer(await raw(port, encode(body, `127.0.0.1:${port}`, withToken ? [`Authorization: Bearer ${TOKEN}`] : [])));
    }), { numRuns: 300 });
    const ok = await fetch(listening!, { method: 'POST', headers: signed, body: valid });
    expect(ok.status).toBe(200); // still up, and still taking real notifications
    expect(receiver.state().firing.length).toBeLessThanOrEqual(MAX_FIRING);
  });

  it('keeps the alert path\'s own alerts (a path test, the Watchdog) out of the notices, and tells a path test what arrived', async () => {
    receiver = new AlertReceiver();
    receiver.requireToken(TOKEN);
    const seen: AlertNotice[] = [];
    receiver.on('notice', (n) => seen.push(n));
    const { listening } = await receiver.listen('127.0.0.1', 0);
    const test = (status: 'firing' | 'resolved') => ({ ...alert(status, 'ee05', 'ObsdeckPathTest_ab12'), labels: { alertname: 'ObsdeckPathTest_ab12', severity: 'none', job: '', obsdeck_path_test: 'true' } });
    const post = (body: unknown) => fetch(listening!, { method: 'POST', headers: signed, body: JSON.stringify(body) });
    expect((await post(payload(test('firing'), alert('firing', 'dd04', 'Watchdog')))).status).toBe(200);
    expect(receiver.lastHeartbeatAt).toBeGreaterThan(0);
    const ask = (fp: string, auth = `Bearer ${TOKEN}`) => fetch(`${listening!}/path-test/${fp}`, { headers: { authorization: auth } });
    expect(await (await ask('ee05')).json()).toEqual({ firing: expect.any(String) as unknown });
    await post(payload(test('resolved')));
    expect(await (await ask('ee05')).json()).toEqual({ firing: expect.any(String) as unknown, resolved: expect.any(String) as unknown });
    expect(await (await ask('ffff')).json()).toEqual({});
    expect((await ask('ee05', 'Bearer wrong')).status).toBe(401); // another install's process learns nothing
    expect(seen).toEqual([]);
    expect(receiver.state().firing).toEqual([]);
    receiver.seed([{ fingerprint: 'dd04', labels: { alertname: 'Watchdog' }, annotations: {}, startsAt: '2026-11-25T10:00:00Z' }]);
    expect(receiver.state().firing).toEqual([]);
  });
});
