import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { Host } from '../host/host.js';
import { MAX_TEXT, WS_MAX_BYTES } from '../contract.js';
import { serve, WS_UNAUTHORIZED, type RunningServe } from './serve.js';
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
  const bearer = () => ({ authorization: `Bearer ${running.token}` });

  it('prints a loopback URL carrying a long random token', () => {
    expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{32}$/);
  });

  it('answers nothing but the UI\'s files without the token, and refuses a wrong one', async () => {
    expect((await get('/')).status).toBe(200); // the page, which then asks for the printed URL
    expect((await get('/api/engine')).status).toBe(401);
    expect((await get('/api/engine', { authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await get('/?token=wrong')).status).toBe(403);
    expect((await get(`/?token=${running.token}&view=logs`)).status).toBe(200);
  });

  it('sets no cookie: nothing the browser would send to another port of 127.0.0.1', async () => {
    for (const p of ['/', `/?token=${running.token}`, '/api/engine', '/index.html']) {
      const res = await get(p, bearer());
      expect(res.headers['set-cookie'], p).toBeUndefined();
    }
    // The old designs' cookies open nothing.
    expect((await get('/api/engine', { cookie: `obsdeck_session_${running.port}=${running.token}` })).status).toBe(401);
    expect((await get('/api/engine', { cookie: `obsdeck_session=${running.token}` })).status).toBe(401);
  });

  it('serves the UI with a strict content security policy', async () => {
    const res = await get('/');
    expect(res.status).toBe(200);
    expect(res.body).toContain('<title>Obsdeck</title>');
    expect(res.headers['content-security-policy']).toMatch(/default-src 'self'.*frame-src http:\/\/127\.0\.0\.1:\* http:\/\/localhost:\*; frame-ancestors 'none'/);
  });

  it('answers the API for a page holding the token', async () => {
    const res = await get('/api/engine', bearer());
    expect(JSON.parse(res.body)).toEqual({ reachable: true, version: '99' });
  });

  it('refuses another Host (DNS rebinding) and another Origin', async () => {
    expect((await get('/', { host: `evil.example:${running.port}` })).status).toBe(421);
    expect((await get('/api/engine', { ...bearer(), origin: 'http://evil.example' })).status).toBe(403);
    expect((await get('/', { host: `localhost:${running.port}` })).status).toBe(200);
  });

  it('never serves a file outside the UI directory', async () => {
    const res = await get('/..%2fobsdeck-outside.txt');
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
    const closed = (ws: WebSocket) => new Promise<{ code: number; reason: string }>((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    const origin = () => ({ origin: `http://127.0.0.1:${withBackend.port}` });
    /** A socket that has presented the token. */
    const authed = async () => {
      const ws = connect(origin());
      await opened(ws);
      ws.send(JSON.stringify({ auth: withBackend.token }));
      return ws;
    };

    it('refuses a socket from another origin, and closes one that does not present the token', async () => {
      await expect(opened(connect({ origin: 'http://evil.example' }))).rejects.toThrow(/403/);
      const silent = connect(origin());
      await opened(silent);
      silent.send(JSON.stringify({ id: 1, channel: 'engine:status', args: {} })); // a request before the token
      expect(await closed(silent)).toEqual({ code: WS_UNAUTHORIZED, reason: 'wrong token' });
      const wrong = connect(origin());
      await opened(wrong);
      wrong.send(JSON.stringify({ auth: 'x'.repeat(32) }));
      expect((await closed(wrong)).code).toBe(WS_UNAUTHORIZED);
    });

    it('takes the largest text the contract allows, whatever its bytes, and closes only a socket that sends more', async () => {
      const ws = await authed();
      const other = await authed();
      try {
        // 1,048,576 "€" is 3 MiB of UTF-8: once this stopped the process (RangeError: Max payload size exceeded).
        const big = await ask(ws, 'config:validate', { file: 'alertmanager.yml', text: '€'.repeat(MAX_TEXT) });
        expect(big).toMatchObject({ ok: true });
        const over = await ask(ws, 'config:validate', { file: 'alertmanager.yml', text: 'a'.repeat(MAX_TEXT + 1) });
        expect(over).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
        // A frame past the byte limit: that socket is closed (1009), the server and the other socket go on.
        const done = closed(ws);
        ws.send('x'.repeat(WS_MAX_BYTES + 1));
        expect((await done).code).toBe(1009);
        expect(await ask(other, 'engine:status', {})).toMatchObject({ ok: true });
      } finally {
        ws.terminate();
        other.close();
      }
    }, 60_000);

    it('answers requests, and crosses errors as data with their codes', async () => {
      const ws = await authed();
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
  const alive = async () => expect((await get('/api/engine')).status).toBe(401);

  it('answers the request lines that used to stop it with 400, and keeps running', async () => {
    // `new URL()` threw inside the handler on this one and the process exited.
    expect(await raw(`GET http://[/ HTTP/1.1\r\nHost: 127.0.0.1:${running.port}\r\n\r\n`)).toMatch(/^HTTP\/1\.1 400/);
    await alive();
    // A path that is not valid percent-encoding (decodeURIComponent threw).
    expect(await raw(`GET /%E0%A4%A HTTP/1.1\r\nHost: 127.0.0.1:${running.port}\r\n\r\n`)).toMatch(/^HTTP\/1\.1 400/);
    await alive();
  });

  it('answers oversized headers with 431 and cuts off a client that never finishes its headers', async () => {
    expect(await raw(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${running.port}\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`)).toMatch(/^HTTP\/1\.1 431/);
    await alive();
  });

  it('survives generated requests: no crash, no 5xx, no stack trace (property-based)', async () => {
    await fc.assert(fc.asyncProperty(request(['/', '/ws', '/api/engine', '/index.html', '/?token=x']), fc.boolean(), async (r, withSession) => {
      checkAnswer(await raw(encode(r, `127.0.0.1:${running.port}`, withSession ? [`Authorization: Bearer ${running.token}`] : [])));
    }), { numRuns: 300 });
    await alive();
  });
});