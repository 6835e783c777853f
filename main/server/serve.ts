// `obsdeck serve`: the built UI over HTTP on 127.0.0.1 only. The URL it prints carries a random
// token. There is no cookie: a cookie set for 127.0.0.1 is sent to every port of it (RFC 6265
// §8.5), so Grafana, Prometheus and any local process that gets a page would receive it. The page
// keeps the token in its own origin's storage (127.0.0.1:<port>, which no other port can read) and
// presents it itself: in the WebSocket's first message, and as a Bearer header to /api/. The UI's
// files hold no secret and are served to anyone who passes the Host and Origin checks (DNS
// rebinding). A malformed request is answered 400; an oversized or broken frame closes its own
// socket only; nothing a client sends stops the server.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { WS_MAX_BYTES, type ClientMessage, type ServerMessage } from '../contract.js';
import { toContractError } from '../host/errors.js';
import type { Host } from '../host/host.js';

export interface ServeOptions {
  port?: number;
  /** The built renderer (index.html and assets). */
  staticDir: string;
  /** JSON endpoints under /api/, answered only for an authenticated browser. */
  api?: Record<string, () => Promise<unknown>>;
  /** The contract, spoken over a WebSocket at /ws to an authenticated browser. */
  host?: Host;
  token?: string;
}

export interface RunningServe {
  url: string;
  port: number;
  token: string;
  close: () => Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

// frame-src: the Grafana view embeds the stack's Grafana, published on this machine only.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-src http://127.0.0.1:* http://localhost:*; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
/** A socket that has not presented the token this long after opening is closed. */
const AUTH_WAIT_MS = 10_000;
/** The close code for a socket without the token (the page then says to open the printed URL). */
export const WS_UNAUTHORIZED = 4401;

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

export async function serve(opts: ServeOptions): Promise<RunningServe> {
  const token = opts.token ?? crypto.randomBytes(24).toString('base64url');
  const root = path.resolve(opts.staticDir);
  if (!fs.existsSync(path.join(root, 'index.html'))) {
    throw new Error(`the UI is not built (${path.join(root, 'index.html')} is missing): run \`npm run build:renderer\``);
  }
  let port = 0;
  const gate = (req: http.IncomingMessage) => refused(req, [`127.0.0.1:${port}`, `localhost:${port}`]);
  const server = http.createServer((req, res) => {
    try {
      handle(req, res, { gate, token, root, port, ...(opts.api ? { api: opts.api } : {}) });
    } catch {
      // A request this code did not foresee: refused, and the server goes on.
      if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('bad request\n');
    }
  });
  // A client that sends its headers or body slowly (or never) is cut off, not waited for.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  const wss = webSocket(server, gate, token, opts.host);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new Error(`port ${opts.port} on 127.0.0.1 is already in use; pick another with --port`) : err));
    server.listen(opts.port ?? 0, '127.0.0.1', resolve);
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    close: () => new Promise((resolve) => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** Why a request may not proceed (a Host it is not reached by, a foreign Origin), or undefined. */
function refused(req: http.IncomingMessage, hosts: string[]): [number, string] | undefined {
  if (!hosts.includes(req.headers.host ?? '')) return [421, `obsdeck serve answers only as ${hosts.join(' or ')}\n`];
  const origin = req.headers.origin;
  if (origin && !hosts.some((h) => origin === `http://${h}`)) return [403, 'cross-origin requests are refused\n'];
  return undefined;
}

interface HandleContext {
  gate: (req: http.IncomingMessage) => [number, string] | undefined;
  token: string;
  root: string;
  port: number;
  api?: Record<string, () => Promise<unknown>>;
}

function handle(req: http.IncomingMessage, res: http.ServerResponse, { gate, token, root, port, api }: HandleContext): void {
  const send = (status: number, body: string, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff', 'cache-control': 'no-store', ...headers });
    res.end(body);
  };
  const no = gate(req);
  if (no) return send(no[0], no[1]);
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed\n', { allow: 'GET, HEAD' });
  let url: URL;
  let pathname: string;
  try {
    url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    pathname = decodeURIComponent(url.pathname);
  } catch {
    return send(400, 'malformed request URL\n');
  }
  const given = url.searchParams.get('token');
  if (given !== null && !safeEqual(given, token)) return send(403, 'wrong token: use the URL `obsdeck serve` printed\n');
  if (url.pathname.startsWith('/api/')) {
    const bearer = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!bearer || !safeEqual(bearer, token)) return send(401, 'this endpoint takes the token `obsdeck serve` printed, as Authorization: Bearer\n');
    const handler = api?.[url.pathname.slice(5)];
    if (!handler) return send(404, 'no such endpoint\n');
    handler().then(
      (value) => send(200, JSON.stringify(value), { 'content-type': 'application/json' }),
      (err: unknown) => send(500, JSON.stringify({ error: err instanceof Error ? err.message : String(err) }), { 'content-type': 'application/json' }),
    );
    return;
  }
  const rel = pathname === '/' ? 'index.html' : pathname.replace(/^\/+/, '');
  const file = path.resolve(root, rel);
  // Unknown paths fall back to index.html so client-side routes survive a reload.
  const target = file.startsWith(root + path.sep) && fs.existsSync(file) && fs.statSync(file).isFile() ? file : path.join(root, 'index.html');
  res.writeHead(200, {
    'content-type': TYPES[path.extname(target)] ?? 'application/octet-stream',
    'content-security-policy': CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': target.endsWith('index.html') ? 'no-store' : 'max-age=3600',
  });
  if (req.method === 'HEAD') return void res.end();
  fs.createReadStream(target).on('error', () => res.destroy()).pipe(res);
}

/**
 * The contract over a WebSocket at /ws: requests {id, channel, args} → {id, ok, result | error};
 * events pushed as {event, payload}. Same Host and Origin checks as every request; the first
 * message must be {auth: token} (within AUTH_WAIT_MS), else the socket closes with
 * WS_UNAUTHORIZED. A frame over WS_MAX_BYTES, or a broken one, closes that socket only.
 */
function webSocket(server: http.Server, gate: (req: http.IncomingMessage) => [number, string] | undefined, token: string, host: Host | undefined): WebSocketServer {
  const wss = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_BYTES });
  server.on('upgrade', (req, socket, head) => {
    const no = gate(req);
    socket.on('error', () => socket.destroy());
    if (no || !host || (req.url ?? '').split('?')[0] !== '/ws') {
      socket.end(`HTTP/1.1 ${no?.[0] ?? 404} Refused\r\nconnection: close\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      // ws emits 'error' for a frame over maxPayload or a malformed one, and closes with 1009/1002:
      // without a listener that error would stop the process.
      ws.on('error', () => ws.terminate());
      const timer = setTimeout(() => ws.close(WS_UNAUTHORIZED, 'no token'), AUTH_WAIT_MS);
      ws.once('message', (data: Buffer) => {
        clearTimeout(timer);
        let given: unknown;
        try {
          given = (JSON.parse(data.toString('utf8')) as { auth?: unknown }).auth;
        } catch { /* refused below */ }
        if (typeof given !== 'string' || !safeEqual(given, token)) return ws.close(WS_UNAUTHORIZED, 'wrong token');
        attach(ws, host);
      });
    });
  });
  return wss;
}

/** One session per socket: its requests, the broadcasts and its own events; disposed when it closes. */
function attach(ws: WebSocket, host: Host): void {
  const send = (m: ServerMessage) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(m));
  };
  // A socket that cannot keep up (over 8 MiB unsent) skips events rather than growing without bound.
  const session = host.connect((event, payload) => {
    if (ws.bufferedAmount < 8 << 20) send({ event, payload });
  });
  ws.on('close', () => session.dispose());
  ws.on('message', (data: Buffer) => {
    let msg: ClientMessage;
    try {
      msg = JSON.parse(data.toString('utf8')) as ClientMessage;
      if (typeof msg.id !== 'number' || typeof msg.channel !== 'string') throw new Error('a request is {id, channel, args}');
    } catch (err) {
      send({ id: -1, ok: false, error: { code: 'BAD_REQUEST', message: err instanceof Error ? err.message : String(err) } });
      return;
    }
    host.handle(msg.channel, msg.args, session).then(
      (result) => send({ id: msg.id, ok: true, result }),
      (err: unknown) => send({ id: msg.id, ok: false, error: toContractError(err) }),
    );
  });
}
