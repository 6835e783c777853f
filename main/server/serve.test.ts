import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { Host } from '../host/host.js';
import { serve, type RunningServe } from './serve.js';
import { checkAnswer, encode, raw as rawRequest, request } from '../../test/helpers/fuzz.js';

let running: RunningServe;
let staticDir: string;

function get(urlPath: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: running.port, path: urlPath, headers: { host: `127.0.0.1:${running.port}`, ...headers } }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  staticDir = fs.mkdtempSync(path.join(os.tmpdir(), 'obsdeck-ui-'));
  fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>Obsdeck</title>');
  fs.writeFileSync(path.join(os.tmpdir(), 'obsdeck-outside.txt'), 'outside');
  running = await serve({ staticDir, api: { engine: async () => ({ reachable: true, version: '99' }) } });
});
afterAll(async () => {
  await running.close();
});

describe('obsdeck serve', () => {
  const cookie = () => running.cookieFor();

  it('prints a loopback URL carrying a long random token', () => {
    expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{32}$/);
  });

  it('lets nobody in without the token', async () => {
    expect((await get('/')).status).toBe(401);
    expect((await get('/api/engine')).status).toBe(401);
    expect((await get('/?token=wrong')).status).toBe(403);
  });

  it('trades the token for an HttpOnly, SameSite=Strict cookie and drops it from the URL', async () => {
    const res = await get(`/?token=${running.token}&view=logs`);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/?view=logs');
    expect(res.headers['set-cookie']?.[0]).toMatch(/HttpOnly; SameSite=Strict/);
  });

  it('gives the cookie its own random id: the token itself is no session, and the cookie is not the token', async () => {
    const res = await get(`/?token=${running.token}`);
    const set = res.headers['set-cookie']?.[0] ?? '';
    const [pair] = set.split(';');
    expect(pair!.startsWith(`${running.cookie}=`)).toBe(true);
    expect(pair).not.toContain(running.token);
    expect((await get('/', { cookie: pair! })).status).toBe(200);
    // The old design's cookie (the token) opens nothing: a service that was sent it cannot reuse it.
    expect((await get('/', { cookie: `${running.cookie}=${running.token}` })).status).toBe(401);
    expect((await get('/', { cookie: `obsdeck_session=${running.token}` })).status).toBe(401);
  });

  it('serves the UI with a strict content security policy', async () => {
    const res = await get('/', { cookie: cookie() });
    expect(res.status).toBe(200);
    expect(res.body).toContain('<title>Obsdeck</title>');
    expect(res.headers['content-security-policy']).toMatch(/default-src 'self'.*frame-src http:\/\/127\.0\.0\.1:\* http:\/\/localhost:\*; frame-ancestors 'none'/);
  });

  it('answers the API for an authenticated browser', async () => {
    const res = await get('/api/engine', { cookie: cookie() });
    expect(JSON.parse(res.body)).toEqual({ reachable: true, version: '99' });
  });

  it('refuses another Host (DNS rebinding) and another Origin', async () => {
    expect((await get('/', { cookie: cookie(), host: `evil.example:${running.port}` })).status).toBe(421);
    expect((await get('/api/engine', { cookie: cookie(), origin: 'http://evil.example' })).status).toBe(403);
    expect((await get('/', { cookie: cookie(), host: `localhost:${running.port}` })).status).toBe(200);
  });

  it('never serves a file outside the UI directory', async () => {
    const res = await get('/..%2fobsdeck-outside.txt', { cookie: cookie() });
    expect(res.body).not.toContain('outside');
  });

  it('says which port is taken when it cannot listen', async () => {
    await expect(serve({ staticDir, port: running.port })).rejects.toThrow(`port ${running.port} on 127.0.0.1 is already in use`);
  });

  describe('the contract over a WebSocket', () => {
    let withBackend: RunningServe;
    beforeAll(async () => {
      // No engine here: DOCKER_HOST points nowhere, so requests that need one say so.
      const host = new Host({ env: { DOCKER_HOST: 'unix:///nonexistent.sock' }, data: fs.mkdtempSync(path.join(os.tmpdir(), 'obsdeck-data-')), discoverEveryMs: 60_000 });
      await host.start();
      withBackend = await serve({ staticDir, host });
    });
    afterAll(async () => {
      await withBackend.close();
    });

    const connect = (headers: Record<string, string>) => new WebSocket(`ws://127.0.0.1:${withBackend.port}/ws`, { headers: { host: `127.0.0.1:${withBackend.port}`, ...headers } });
    const ask = (ws: WebSocket, channel: string, args: unknown) => new Promise<Record<string, unknown>>((resolve) => {
      const id = Math.floor(Math.random() * 1e9);
      ws.on('message', (d: Buffer) => {
        const m = JSON.parse(d.toString('utf8')) as Record<string, unknown>;
        if (m.id === id) resolve(m);
      });
      ws.send(JSON.stringify({ id, channel, args }));
    });
    const opened = (ws: WebSocket) => new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });

    it('refuses a socket without the session, or from another origin', async () => {
      await expect(opened(connect({}))).rejects.toThrow(/401/);
      await expect(opened(connect({ cookie: withBackend.cookieFor(), origin: 'http://evil.example' }))).rejects.toThrow(/403/);
    });

    it('answers requests, and crosses errors as data with their codes', async () => {
      const ws = connect({ cookie: withBackend.cookieFor(), origin: `http://127.0.0.1:${withBackend.port}` });
      await opened(ws);
      try {
        const engine = await ask(ws, 'engine:status', {});
        expect(engine).toMatchObject({ ok: true, result: { reachable: false } });
        expect(await ask(ws, 'stack:up', {})).toMatchObject({ ok: false, error: { code: 'ENGINE_UNREACHABLE' } });
        expect(await ask(ws, 'stack:up', { services: ['no such/service'] })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', message: expect.stringContaining('services.0') as unknown } });
        expect(await ask(ws, 'files:read', { path: '/etc/passwd' })).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
      } finally {
        ws.close();
      }
    });
  });
});

const raw = (request: string | Buffer) => rawRequest(running.port, request);

describe('obsdeck serve under hostile input', () => {
  const alive = async () => expect((await get('/')).status).toBe(401);

  it('answers the request lines that used to stop it with 400, and keeps running', async () => {
    // `new URL()` threw inside the handler on this one and the process exited.
    expect(await raw(`GET http://[/ HTTP/1.1\r\nHost: 127.0.0.1:${running.port}\r\n\r\n`)).toMatch(/^HTTP\/1\.1 400/);
    await alive();
    // A valid session asking for a path that is not valid percent-encoding (decodeURIComponent threw).
    expect(await raw(`GET /%E0%A4%A HTTP/1.1\r\nHost: 127.0.0.1:${running.port}\r\nCookie: ${running.cookieFor()}\r\n\r\n`)).toMatch(/^HTTP\/1\.1 400/);
    await alive();
  });

  it('answers oversized headers with 431 and cuts off a client that never finishes its headers', async () => {
    expect(await raw(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${running.port}\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`)).toMatch(/^HTTP\/1\.1 431/);
    await alive();
  });

  it('survives generated requests: no crash, no 5xx, no stack trace (property-based)', async () => {
    const session = running.cookieFor();
    await fc.assert(fc.asyncProperty(request(['/', '/ws', '/api/engine', '/index.html', '/?token=x']), fc.boolean(), async (r, withSession) => {
      checkAnswer(await raw(encode(r, `127.0.0.1:${running.port}`, withSession ? [`Cookie: ${session}`] : [])));
    }), { numRuns: 300 });
    await alive();
  });
});