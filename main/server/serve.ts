// `obsdeck serve`: the built UI over HTTP on 127.0.0.1 only. The URL it prints carries a random
// token; the first request trades it for a session: an HttpOnly, SameSite=Strict cookie holding
// a random id of its own (cookies ignore ports, so every 127.0.0.1 service, Grafana included,
// is sent it: it must not be the token). Host and Origin are checked so a page on another site
// cannot reach it through DNS rebinding. A malformed request is answered 400; nothing a client
// sends stops the server.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ClientMessage, ServerMessage } from '../contract.js';
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
  /** The session cookie's name (it carries the port: two serves on one machine do not clobber each other). */
  cookie: string;
  /** Opens a session as trading the token does, and returns the cookie header for it. */
  cookieFor: () => string;
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
/** Sessions live this long from the token's trade (the cookie's Max-Age too). */
const SESSION_MS = 12 * 3600_000;
/** At most this many sessions are kept; the oldest go first. */
const MAX_SESSIONS = 64;

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
  const sessions = new Map<string, number>(); // id → expiry
  const cookieName = () => `obsdeck_session_${port}`;
  const newSession = (): string => {
    const id = crypto.randomBytes(24).toString('base64url');
    sessions.set(id, Date.now() + SESSION_MS);
    while (sessions.size > MAX_SESSIONS) sessions.delete(sessions.keys().next().value!);
    return id;
  };
  const allowedHosts = () => [`127.0.0.1:${port}`, `localhost:${port}`];
  /** Why a request may not proceed (wrong Host, foreign Origin, no session), or undefined. */
  const refused = (req: http.IncomingMessage): [number, string] | undefined => {
    if (!allowedHosts().includes(req.headers.host ?? '')) return [421, `obsdeck serve answers only as ${allowedHosts().join(' or ')}\n`];
    const origin = req.headers.origin;
    if (origin && !allowedHosts().some((h) => origin === `http://${h}`)) return [403, 'cross-origin requests are refused\n'];
    return undefined;
  };
  const hasSession = (req: http.IncomingMessage) => {
    const cookie = (req.headers.cookie ?? '').split(';').map((c) => c.trim()).find((c) => c.startsWith(`${cookieName()}=`));
    const expiry = cookie === undefined ? undefined : sessions.get(cookie.slice(cookieName().length + 1));
    return expiry !== undefined && expiry > Date.now();
  };
  const server = http.createServer((req, res) => {
    try {
      handle(req, res);
    } catch {
      // A request this code did not foresee: refused, and the server goes on.
      if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('bad request\n');
    }
  });
  const handle = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const send = (status: number, body: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff', ...headers });
      res.end(body);
    };
    const no = refused(req);
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
    if (given !== null) {
      if (!safeEqual(given, token)) return send(403, 'wrong token: use the URL `obsdeck serve` printed\n');
      url.searchParams.delete('token');
      return send(303, '', {
        location: url.pathname + url.search,
        'set-cookie': `${cookieName()}=${newSession()}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${SESSION_MS / 1000}`,
      });
    }
    if (!hasSession(req)) return send(401, 'open the URL `obsdeck serve` printed (it carries the access token)\n');

    if (url.pathname.startsWith('/api/')) {
      const handler = opts.api?.[url.pathname.slice(5)];
      if (!handler) return send(404, 'no such endpoint\n');
      handler().then(
        (value) => send(200, JSON.stringify(value), { 'content-type': 'application/json', 'cache-control': 'no-store' }),
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
    if (req.method === 'HEAD') return res.end();
    fs.createReadStream(target).on('error', () => res.destroy()).pipe(res);
  };
  // A client that sends its headers or body slowly (or never) is cut off, not waited for.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  // The contract over a WebSocket: requests {id, channel, args} → {id, ok, result | error};
  // events pushed as {event, payload}. Same Host, Origin and session checks as every request.
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 });
  server.on('upgrade', (req, socket, head) => {
    const no = refused(req) ?? (hasSession(req) ? undefined : [401, 'no session\n'] as [number, string]);
    if (no || !opts.host || (req.url ?? '').split('?')[0] !== '/ws') {
      socket.end(`HTTP/1.1 ${no?.[0] ?? 404} Refused\r\nconnection: close\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws, opts.host!));
  });
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
    cookie: cookieName(),
    cookieFor: () => `${cookieName()}=${newSession()}`,
    close: () => new Promise((resolve) => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
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
