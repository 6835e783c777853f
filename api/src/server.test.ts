import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT, UnsecuredJWT } from 'jose';
import fc from 'fast-check';
import { checkAnswer, encode, raw, request } from '../../test/helpers/fuzz.js';
import { PASSWORDS, startApi, type RunningApi } from './test-server.js';

interface Pair { access_token: string; refresh_token: string; token_type: string; expires_in: number }

let api: RunningApi;

async function call(method: string, url: string, opts: { token?: string; json?: unknown; body?: string; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | undefined = opts.body;
  if (opts.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.json);
  }
  const res = await fetch(`${api.base}${url}`, { method, headers, body });
  const text = await res.text();
  let data: unknown;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = text;
  }
  return { status: res.status, data: data as Record<string, unknown>, headers: res.headers, text };
}

async function login(username: 'admin' | 'user'): Promise<Pair> {
  const res = await call('POST', '/auth/login', { json: { username, password: PASSWORDS[username] } });
  expect(res.status).toBe(200);
  return res.data as unknown as Pair;
}

/** The value of one sample in the exposition text, 0 when the series is absent. */
async function metric(name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = (await call('GET', '/metrics')).text;
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (want.every((w) => line.includes(w))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}

/** The signing key the server generated, as an attacker who stole it would have it. */
function jwtKey(): Buffer {
  const stored = JSON.parse(fs.readFileSync(path.join(api.dataDir, 'secrets.json'), 'utf8')) as { jwtSecret: string };
  return Buffer.from(stored.jwtSecret, 'base64');
}

const customer = { name: 'Ana Gómez', email: 'ana.gomez@example.com', phone: '+34 600 111 222' };

beforeAll(async () => {
  api = await startApi({ logLevel: 'info' });
});
afterAll(async () => {
  await api.close();
});

/** GET `path` with this Host header (fetch cannot set one). */
function withHost(urlPath: string, host: string): Promise<number> {
  const { port } = new URL(api.base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: urlPath, headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the names it answers to', () => {
  it('answers its addresses, localhost and its service names, and refuses another site\'s name (DNS rebinding) with 421', async () => {
    const { port } = new URL(api.base);
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, 'api_poc3:8083', 'API-POC3:8083', '10.0.1.5:8083', '[::1]:8083', '[fd00::5]:8083']) {
      expect(await withHost('/metrics', host), host).toBe(200);
    }
    for (const host of [`evil.example:${port}`, 'attacker.localhost.evil:8083', 'api_poc3.evil.example']) {
      expect(await withHost('/metrics', host), host).toBe(421);
      expect(await withHost('/health', host), host).toBe(421);
    }
  });
});

describe('authentication', () => {
  it('logs in with the right password and refuses the wrong one', async () => {
    const pair = await login('admin');
    expect(pair.token_type).toBe('bearer');
    expect(pair.expires_in).toBe(900);
    expect(pair.access_token.split('.')).toHaveLength(3);
    const bad = await call('POST', '/auth/login', { json: { username: 'admin', password: 'nope' } });
    expect(bad.status).toBe(401);
    expect(bad.data.error).toBe('invalid_credentials');
    const ghost = await call('POST', '/auth/login', { json: { username: 'ghost', password: 'nope' } });
    expect(ghost.status).toBe(401);
  });

  it('rotates refresh tokens and revokes the whole family when a spent one comes back', async () => {
    const first = await login('user');
    const second = await call('POST', '/auth/refresh', { json: { refresh_token: first.refresh_token } });
    expect(second.status).toBe(200);
    const pair2 = second.data as unknown as Pair;
    expect((await call('GET', '/customers', { token: pair2.access_token })).status).toBe(200);

    const reusesBefore = await metric('security_events_total', { event_type: 'refresh_reuse' });
    const replay = await call('POST', '/auth/refresh', { json: { refresh_token: first.refresh_token } });
    expect(replay.status).toBe(401);
    expect(String(replay.data.message)).toMatch(/already used/);
    expect(await metric('security_events_total', { event_type: 'refresh_reuse' })).toBe(reusesBefore + 1);
    // Every token of that login is now dead, including the pair issued by the legitimate refresh.
    expect((await call('GET', '/customers', { token: pair2.access_token })).status).toBe(401);
    expect((await call('POST', '/auth/refresh', { json: { refresh_token: pair2.refresh_token } })).status).toBe(401);
    // Another login of the same user is untouched.
    const other = await login('user');
    expect((await call('GET', '/customers', { token: other.access_token })).status).toBe(200);
  });

  it('never leaves a live token when two refreshes race with one token (reuse detection is atomic)', async () => {
    for (let trial = 0; trial < 25; trial++) {
      const pair = await login('user');
      const answers = await Promise.all([0, 1].map(() => call('POST', '/auth/refresh', { json: { refresh_token: pair.refresh_token } })));
      const winners = answers.filter((a) => a.status === 200).map((a) => a.data as unknown as Pair);
      expect(winners.length).toBeLessThanOrEqual(1);
      // One of the two presented a spent token: the family is revoked, the winner's new pair included.
      for (const w of winners) {
        expect((await call('GET', '/customers', { token: w.access_token })).status, `trial ${trial}`).toBe(401);
        expect((await call('POST', '/auth/refresh', { json: { refresh_token: w.refresh_token } })).status).toBe(401);
      }
    }
  });

  it('does not accept a refresh token as an access token or the other way round', async () => {
    const pair = await login('user');
    expect((await call('GET', '/customers', { token: pair.refresh_token })).status).toBe(401);
    expect((await call('POST', '/auth/refresh', { json: { refresh_token: pair.access_token } })).status).toBe(401);
  });

  it('logout revokes the caller\'s tokens', async () => {
    const pair = await login('user');
    const active = await metric('jwt_active_tokens');
    expect((await call('POST', '/auth/logout', { token: pair.access_token })).status).toBe(204);
    expect((await call('GET', '/customers', { token: pair.access_token })).status).toBe(401);
    expect((await call('POST', '/auth/refresh', { json: { refresh_token: pair.refresh_token } })).status).toBe(401);
    expect(await metric('jwt_active_tokens')).toBe(active - 2);
  });

  it('refuses alg none, another algorithm, a tampered signature, a wrong audience and a missing header', async () => {
    const pair = await login('admin');
    const [header, payload, signature] = pair.access_token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;

    const none = new UnsecuredJWT(claims).encode();
    const hs512 = await new SignJWT(claims).setProtectedHeader({ alg: 'HS512', typ: 'at+jwt' })
      .sign(jwtKey());
    const elevated = Buffer.from(JSON.stringify({ ...claims, role: 'admin', sub: '2' })).toString('base64url');
    const flipped = signature.slice(0, -2) + (signature.endsWith('AA') ? 'BB' : 'AA');
    const wrongAud = await new SignJWT({ ...claims, aud: 'someone-else' }).setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
      .sign(jwtKey());

    const invalidBefore = await metric('security_events_total', { event_type: 'invalid_token' });
    for (const token of [none, hs512, `${header}.${elevated}.${signature}`, `${header}.${payload}.${flipped}`, wrongAud, 'garbage']) {
      const res = await call('GET', '/customers', { token });
      expect(res.status, token.slice(0, 40)).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/invalid_token/);
    }
    expect(await metric('security_events_total', { event_type: 'invalid_token' })).toBe(invalidBefore + 6);
    const missing = await call('GET', '/customers');
    expect(missing.status).toBe(401);
    expect(missing.data.message).toMatch(/missing Authorization/);
  });

  it('rate limits logins per username with 429 and a security event', async () => {
    const limited = await startApi({ loginLimitPerUser: 3, loginLimitPerClient: 100, logLevel: 'silent' });
    try {
      const attempt = (password: string) => fetch(`${limited.base}/auth/login`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'user', password }),
      });
      for (let i = 0; i < 3; i++) expect((await attempt('wrong')).status).toBe(401);
      const blocked = await attempt(PASSWORDS.user);
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
      const text = await (await fetch(`${limited.base}/metrics`)).text();
      expect(text).toMatch(/security_events_total\{event_type="rate_limited"\} 1/);
      expect(text).toMatch(/security_events_total\{event_type="failed_login"\} 3/);
      // Another username from the same address is not blocked by this user's failures.
      const admin = await fetch(`${limited.base}/auth/login`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: PASSWORDS.admin }),
      });
      expect(admin.status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('counts a login attempt before checking the password: 40 concurrent guesses, only 10 reach it', async () => {
    const limited = await startApi({ loginLimitPerUser: 10, loginLimitPerClient: 1000, logLevel: 'silent' });
    try {
      const answers = await Promise.all(Array.from({ length: 40 }, () => fetch(`${limited.base}/auth/login`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'user', password: 'wrong' }),
      }).then((r) => r.status)));
      expect(answers.filter((st) => st === 401)).toHaveLength(10);
      expect(answers.filter((st) => st === 429)).toHaveLength(30);
    } finally {
      await limited.close();
    }
  });

  it('does not let a stranger\'s failures at other names lock the admin out (one address behind the port proxy)', async () => {
    const limited = await startApi({ loginLimitPerUser: 10, loginLimitPerClient: 60, logLevel: 'silent' });
    try {
      const attempt = (username: string, password: string) => fetch(`${limited.base}/auth/login`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }),
      });
      for (let i = 0; i < 70; i++) await attempt(`stranger-${i % 7}`, 'guess');
      expect((await attempt('nobody', 'guess')).status).toBe(429); // the address is limited for names that are no account
      expect((await attempt('admin', PASSWORDS.admin)).status).toBe(200);
      // Brute force against one name still gets 429 (LoginRateLimited) after the per-user limit.
      const guesses = [];
      for (let i = 0; i < 12; i++) guesses.push((await attempt('user', `wrong-${i}`)).status);
      expect(guesses.slice(0, 10).every((st) => st === 401)).toBe(true);
      expect(guesses.slice(10)).toEqual([429, 429]);
    } finally {
      await limited.close();
    }
  });

  it('rate limits logins per client address', async () => {
    const limited = await startApi({ loginLimitPerUser: 100, loginLimitPerClient: 2, logLevel: 'silent' });
    try {
      const attempt = (username: string) => fetch(`${limited.base}/auth/login`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: 'x' }),
      });
      expect((await attempt('a')).status).toBe(401);
      expect((await attempt('b')).status).toBe(401);
      expect((await attempt('c')).status).toBe(429);
    } finally {
      await limited.close();
    }
  });
});

describe('expiry', () => {
  it('refuses an expired access token and stops counting it as active', async () => {
    // 3 s: expiry is in whole seconds (exp = floor(now) + ttl), so a 1 s token can be dead within
    // a few ms of being issued; 3 s leaves at least 2 s to see it counted.
    const short = await startApi({ accessTtlSeconds: 3, refreshTtlSeconds: 3, logLevel: 'silent' });
    try {
      const res = await fetch(`${short.base}/auth/login`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'user', password: PASSWORDS.user }),
      });
      const pair = (await res.json()) as Pair;
      const gauge = async () => Number(/^jwt_active_tokens (\d+)/m.exec(await (await fetch(`${short.base}/metrics`)).text())![1]);
      expect(await gauge()).toBe(2);
      expect((await fetch(`${short.base}/customers`, { headers: { authorization: `Bearer ${pair.access_token}` } })).status).toBe(200);
      await new Promise((r) => setTimeout(r, 3100));
      const expired = await fetch(`${short.base}/customers`, { headers: { authorization: `Bearer ${pair.access_token}` } });
      expect(expired.status).toBe(401);
      expect(((await expired.json()) as { message: string }).message).toMatch(/expired/);
      expect(await gauge()).toBe(0);
      const text = await (await fetch(`${short.base}/metrics`)).text();
      expect(text).toMatch(/jwt_token_validation_duration_seconds_count\{validation_result="expired"\} 1/);
    } finally {
      await short.close();
    }
  });
});

describe('customers', () => {
  it('creates, reads, lists, updates and deletes a customer, decrypting on the way out', async () => {
    const { access_token: token } = await login('user');
    const created = await call('POST', '/customers', { token, json: customer });
    expect(created.status).toBe(201);
    expect(created.data).toMatchObject({ ...customer, owner: 'user' });
    const id = created.data.id as number;
    expect(created.headers.get('location')).toBe(`/customers/${String(id)}`);

    expect((await call('GET', `/customers/${String(id)}`, { token })).data).toMatchObject(customer);
    const list = await call('GET', '/customers?limit=5', { token });
    expect(list.data.limit).toBe(5);
    expect((list.data.items as { id: number }[]).map((c) => c.id)).toContain(id);

    const updated = await call('PUT', `/customers/${String(id)}`, { token, json: { ...customer, phone: '+34 600 999 888' } });
    expect(updated.status).toBe(200);
    expect(updated.data.phone).toBe('+34 600 999 888');

    expect((await call('DELETE', `/customers/${String(id)}`, { token })).status).toBe(204);
    expect((await call('GET', `/customers/${String(id)}`, { token })).status).toBe(404);
  });

  it('keeps each user to their own customers while an admin sees all', async () => {
    const user = (await login('user')).access_token;
    const admin = (await login('admin')).access_token;
    const mine = await call('POST', '/customers', { token: user, json: { ...customer, name: 'User owned' } });
    const theirs = await call('POST', '/customers', { token: admin, json: { ...customer, name: 'Admin owned' } });
    const forbiddenBefore = await metric('security_events_total', { event_type: 'forbidden' });

    for (const [method, json] of [['GET', undefined], ['PUT', customer], ['DELETE', undefined]] as const) {
      const res = await call(method, `/customers/${String(theirs.data.id)}`, { token: user, json });
      expect(res.status, method).toBe(403);
    }
    expect(await metric('security_events_total', { event_type: 'forbidden' })).toBe(forbiddenBefore + 3);
    expect(await metric('http_requests_total', { method: 'GET', endpoint: '/customers/:id', status: '403' })).toBeGreaterThanOrEqual(1);
    // Still there, unchanged, for its owner.
    expect((await call('GET', `/customers/${String(theirs.data.id)}`, { token: admin })).data.name).toBe('Admin owned');

    const userList = (await call('GET', '/customers?limit=100', { token: user })).data.items as { owner: string }[];
    expect(userList.every((c) => c.owner === 'user')).toBe(true);
    const adminList = (await call('GET', '/customers?limit=100', { token: admin })).data.items as { id: number }[];
    expect(adminList.map((c) => c.id)).toEqual(expect.arrayContaining([mine.data.id, theirs.data.id]));

    const assign = await call('POST', '/customers', { token: user, json: { ...customer, owner: 'admin' } });
    expect(assign.status).toBe(403);
    const adminAssigns = await call('POST', '/customers', { token: admin, json: { ...customer, owner: 'user' } });
    expect(adminAssigns.data.owner).toBe('user');
  });

  it('paginates with a capped limit', async () => {
    const { access_token: token } = await login('admin');
    for (let i = 0; i < 3; i++) await call('POST', '/customers', { token, json: { ...customer, name: `Page ${i}` } });
    const page1 = await call('GET', '/customers?limit=2&offset=0', { token });
    const page2 = await call('GET', '/customers?limit=2&offset=2', { token });
    expect((page1.data.items as unknown[]).length).toBe(2);
    const ids1 = (page1.data.items as { id: number }[]).map((c) => c.id);
    const ids2 = (page2.data.items as { id: number }[]).map((c) => c.id);
    expect(ids1.some((id) => ids2.includes(id))).toBe(false);
    expect(page1.data.total).toBeGreaterThanOrEqual(3);
    const huge = await call('GET', '/customers?limit=1000000', { token });
    expect(huge.status).toBe(400);
    expect(huge.data.message).toMatch(/query\.limit: must be at most 100/);
  });
});

describe('bad input', () => {
  const cases: [string, string, string, { json?: unknown; body?: string; headers?: Record<string, string> }, number, RegExp][] = [
    ['malformed JSON', 'POST', '/auth/login', { body: '{"username": "admin",', headers: { 'content-type': 'application/json' } }, 400, /not valid JSON/],
    ['a wrong type', 'POST', '/auth/login', { json: { username: 42, password: 'x' } }, 400, /body\.username/],
    ['a missing field', 'POST', '/auth/login', { json: { username: 'admin' } }, 400, /body\.password/],
    ['an unknown field', 'POST', '/auth/login', { json: { username: 'admin', password: 'x', admin: true } }, 400, /unknown field.*admin/],
    ['an array body', 'POST', '/auth/login', { json: [1, 2] }, 400, /body/],
    ['no body', 'POST', '/auth/refresh', {}, 400, /body/],
    ['an oversized body', 'POST', '/auth/login', { json: { username: 'admin', password: 'x'.repeat(20_000) } }, 413, /larger than/],
    ['an unsupported media type', 'POST', '/auth/login', { body: '<xml/>', headers: { 'content-type': 'application/xml' } }, 415, /./],
  ];
  for (const [what, method, url, opts, status, message] of cases) {
    it(`answers ${what} with ${status} and a message`, async () => {
      const res = await call(method, url, opts);
      expect(res.status).toBe(status);
      expect(typeof res.data.error).toBe('string');
      expect(String(res.data.message)).toMatch(message);
      expect(res.text).not.toMatch(/at .*\.(ts|js):\d+/); // no stack trace
    });
  }

  it('refuses bad customer input with the field named', async () => {
    const { access_token: token } = await login('user');
    const checks: [unknown, RegExp][] = [
      [{ ...customer, email: 'not-an-email' }, /body\.email: must be an email/],
      [{ ...customer, phone: 'call me' }, /body\.phone/],
      [{ ...customer, name: '' }, /body\.name/],
      [{ name: 'x', email: 'a@b.co' }, /body\.phone/],
      [{ ...customer, extra: 1 }, /unknown field.*extra/],
    ];
    for (const [json, message] of checks) {
      const res = await call('POST', '/customers', { token, json });
      expect(res.status).toBe(400);
      expect(String(res.data.message)).toMatch(message);
    }
    for (const id of ['abc', '1.5', '-1', '0', '99999999999999999999', '1e3']) {
      const res = await call('GET', `/customers/${id}`, { token });
      expect(res.status, id).toBe(400);
      expect(String(res.data.message)).toMatch(/positive whole number/);
    }
    for (const query of ['limit=abc', 'limit=0', 'offset=-1', 'sort=name']) {
      expect((await call('GET', `/customers?${query}`, { token })).status, query).toBe(400);
    }
  });

  it('never answered with a 5xx to any of it', async () => {
    const text = (await call('GET', '/metrics')).text;
    expect(text).not.toMatch(/http_requests_total\{[^}]*status="5\d\d"/);
  });
});

describe('metrics', () => {
  it('labels requests by route template and unknown routes as one value', async () => {
    const { access_token: token } = await login('admin');
    const created = await call('POST', '/customers', { token, json: customer });
    await call('GET', `/customers/${String(created.data.id)}`, { token });
    await call('GET', '/no/such/route/12345');
    await call('GET', '/another/unknown');
    const text = (await call('GET', '/metrics')).text;
    expect(text).toMatch(/http_requests_total\{method="GET",endpoint="\/customers\/:id",status="200"\} \d+/);
    expect(text).toMatch(/http_requests_total\{method="GET",endpoint="unmatched",status="404"\} 2/);
    expect(text).not.toMatch(/endpoint="\/customers\/\d+"/);
    expect(text).not.toMatch(/no\/such\/route/);
    expect(text).toMatch(/http_request_duration_seconds_bucket\{le="0.1",method="POST",endpoint="\/customers"\}/);
    // /metrics and /health are not timed.
    expect(text).not.toMatch(/endpoint="\/metrics"/);
  });

  it('moves the JWT, encryption and connection metrics', async () => {
    const before = {
      access: await metric('jwt_tokens_created_total', { token_type: 'access', user_role: 'user' }),
      refresh: await metric('jwt_tokens_created_total', { token_type: 'refresh', user_role: 'user' }),
      enc: await metric('encryption_operations_total', { operation_type: 'encrypt', field_type: 'email' }),
      dec: await metric('encryption_operations_total', { operation_type: 'decrypt', field_type: 'phone' }),
      valid: await metric('jwt_token_validation_duration_seconds_count', { validation_result: 'valid' }),
      failed: await metric('security_events_total', { event_type: 'failed_login' }),
      active: await metric('jwt_active_tokens'),
    };
    const { access_token: token } = await login('user');
    const created = await call('POST', '/customers', { token, json: customer });
    await call('GET', `/customers/${String(created.data.id)}`, { token });
    await call('POST', '/auth/login', { json: { username: 'user', password: 'wrong' } });

    expect(await metric('jwt_tokens_created_total', { token_type: 'access', user_role: 'user' })).toBe(before.access + 1);
    expect(await metric('jwt_tokens_created_total', { token_type: 'refresh', user_role: 'user' })).toBe(before.refresh + 1);
    expect(await metric('jwt_active_tokens')).toBe(before.active + 2);
    expect(await metric('encryption_operations_total', { operation_type: 'encrypt', field_type: 'email' })).toBe(before.enc + 1);
    // Decrypted once for the 201 response and once for the GET.
    expect(await metric('encryption_operations_total', { operation_type: 'decrypt', field_type: 'phone' })).toBe(before.dec + 2);
    expect(await metric('encryption_duration_seconds_count', { operation_type: 'encrypt', field_type: 'email' })).toBeGreaterThan(0);
    expect(await metric('jwt_token_validation_duration_seconds_count', { validation_result: 'valid' })).toBe(before.valid + 2);
    expect(await metric('security_events_total', { event_type: 'failed_login' })).toBe(before.failed + 1);
    // This fetch holds a keep-alive connection open while it asks.
    expect(await metric('http_connections_active')).toBeGreaterThanOrEqual(1);
    expect(await metric('process_cpu_user_seconds_total')).toBeGreaterThan(0);
  });
});

describe('data at rest and logs', () => {
  it('stores no plaintext email or phone in the database files', async () => {
    const { access_token: token } = await login('user');
    const secret = { name: 'Zed Plaintext', email: 'zed.unique.marker@example.org', phone: '+1 555 867 5309' };
    const created = await call('POST', '/customers', { token, json: secret });
    expect(created.status).toBe(201);
    const files = fs.readdirSync(api.dataDir).filter((f) => f.startsWith('poc3.sqlite'));
    expect(files.length).toBeGreaterThan(0);
    const bytes = Buffer.concat(files.map((f) => fs.readFileSync(path.join(api.dataDir, f))));
    expect(bytes.includes(Buffer.from('Zed Plaintext'))).toBe(true); // the name is not a secret: proves we read the right bytes
    expect(bytes.includes(Buffer.from(secret.email))).toBe(false);
    expect(bytes.includes(Buffer.from('zed.unique.marker'))).toBe(false);
    expect(bytes.includes(Buffer.from(secret.phone))).toBe(false);
    expect(bytes.includes(Buffer.from('867 5309'))).toBe(false);
  });

  it('logs no token, password, email, phone or client address', async () => {
    const pair = await login('user');
    await call('POST', '/customers', { token: pair.access_token, json: customer });
    await call('POST', '/auth/refresh', { json: { refresh_token: pair.refresh_token } });
    // The server announcing its own listening address is not a client's address.
    const logs = api.logs().split('\n').filter((line) => !line.includes('Server listening')).join('\n');
    expect(logs).toMatch(/"endpoint":"\/customers"/); // it does log requests
    for (const secret of [pair.access_token, pair.refresh_token, PASSWORDS.user, PASSWORDS.admin, customer.email, customer.phone, '127.0.0.1']) {
      expect(logs.includes(secret), secret.slice(0, 20)).toBe(false);
    }
  });
});

describe('fault injection', () => {
  it('takes an admin token: nothing else on the machine can make the API fail or stall', async () => {
    const faulty = await startApi({ faults: true, logLevel: 'silent' });
    try {
      const login = async (username: 'admin' | 'user') => ((await (await fetch(`${faulty.base}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: PASSWORDS[username] }) })).json()) as Pair).access_token;
      const get = (p: string, token?: string) => fetch(`${faulty.base}${p}`, token ? { headers: { authorization: `Bearer ${token}` } } : {}).then((r) => r.status);
      expect(await get('/debug/error')).toBe(401);
      expect(await get('/debug/slow?ms=3000')).toBe(401);
      expect(await get('/debug/error', await login('user'))).toBe(403);
      expect(await get('/debug/error', await login('admin'))).toBe(500);
    } finally {
      await faulty.close();
    }
  });


  it('is off unless asked for', async () => {
    expect((await call('GET', '/debug/error')).status).toBe(404);
    expect((await call('GET', '/debug/slow')).status).toBe(404);
  });

  it('answers 500 and late when on, counted and timed like any route', async () => {
    const faulty = await startApi({ faults: true });
    try {
      const adminLogin = await fetch(`${faulty.base}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: PASSWORDS.admin }) });
      const { access_token: adminToken } = (await adminLogin.json()) as Pair;
      const get = (p: string) => fetch(`${faulty.base}${p}`, p.startsWith('/debug/') ? { headers: { authorization: `Bearer ${adminToken}` } } : {});
      const err = await get('/debug/error');
      expect(err.status).toBe(500);
      expect(await err.json()).toEqual({ error: 'injected_fault', message: 'an injected failure (API_FAULTS=on)' });
      const began = Date.now();
      const slow = await get('/debug/slow?ms=300');
      expect(await slow.json()).toEqual({ slept_ms: 300 });
      expect(Date.now() - began).toBeGreaterThanOrEqual(290);
      const text = await (await get('/metrics')).text();
      expect(text).toMatch(/http_requests_total\{method="GET",endpoint="\/debug\/error",status="500"\} 1/);
      expect(text).toContain('http_request_duration_seconds_bucket{le="0.1",method="GET",endpoint="/debug/slow"} 0');
      expect(text).toContain('http_request_duration_seconds_bucket{le="0.5",method="GET",endpoint="/debug/slow"} 1');
      expect((await get('/debug/slow?ms=60000')).status).toBe(400); // bounded
    } finally {
      await faulty.close();
    }
  });
});

describe('health', () => {
  it('answers ok', async () => {
    const res = await call('GET', '/health');
    expect(res.status).toBe(200);
    expect(res.data.status).toBe('ok');
  });
});

describe('hostile input', () => {
  it('survives generated requests on every route, with and without a token: no crash, no 5xx, no stack trace (property-based)', async () => {
    const port = Number(new URL(api.base).port);
    const token = (await login('admin')).access_token;
    const routes = ['/auth/login', '/auth/refresh', '/auth/logout', '/customers', '/customers/1', '/customers/abc', '/health', '/metrics', '/customers?limit=5&offset=2'];
    await fc.assert(fc.asyncProperty(request(routes, ['Authorization']), fc.boolean(), async (r, withToken) => {
      checkAnswer(await raw(port, encode(r, `127.0.0.1:${port}`, withToken ? [`Authorization: Bearer ${token}`] : [])));
    }), { numRuns: 300 });
    expect((await call('GET', '/health')).status).toBe(200);
  }, 60_000);
});
