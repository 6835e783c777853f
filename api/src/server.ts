// The POC3 Security API: authentication with JWTs, customers with encrypted contact fields,
// health and Prometheus metrics. `buildServer` wires it; main.ts runs it.
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ApiConfig } from './config.js';
import { DecryptionError, FieldCipher, type FieldContext } from './field-crypto.js';
import { createMetrics, type ApiMetrics, type CryptoOperation, type EncryptedField, type SecurityEvent } from './metrics.js';
import { verifyPassword } from './passwords.js';
import { WindowCounter } from './rate-limit.js';
import type { Secrets } from './secrets.js';
import type { CustomerRow, Store } from './store.js';
import { TokenError, TokenService, type Principal } from './tokens.js';

export const MAX_PAGE = 100;
const BODY_LIMIT = 16 * 1024;
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']);

declare module 'fastify' {
  interface FastifyRequest {
    startedAt?: bigint;
    principal?: Principal;
  }
  interface FastifyContextConfig {
    /** false for routes that must not be measured (/metrics itself). */
    timed?: boolean;
  }
}

/** A 4xx with a message safe to show the client. */
class HttpError extends Error {
  constructor(readonly statusCode: number, readonly error: string, message: string, readonly headers: Record<string, string> = {}) {
    super(message);
  }
}

const Login = z.strictObject({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(256),
});
const Refresh = z.strictObject({ refresh_token: z.string().min(1).max(4096) });
const CustomerInput = z.strictObject({
  name: z.string().trim().min(1).max(200),
  email: z.string().max(254).regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'must be an email address'),
  phone: z.string().regex(/^\+?[0-9][0-9 ()-]{3,30}$/, 'must be a phone number (digits, spaces, +, -, parentheses)'),
  owner: z.string().min(1).max(64).optional(),
});
const ListQuery = z.strictObject({
  limit: z.string().regex(/^\d{1,9}$/, 'must be a whole number').transform(Number)
    .pipe(z.number().int().min(1).max(MAX_PAGE, `must be at most ${MAX_PAGE}`)).optional(),
  offset: z.string().regex(/^\d{1,9}$/, 'must be a whole number').transform(Number).optional(),
});

function parse<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const at = issue.path.length ? `${where}.${issue.path.join('.')}` : where;
  const message = issue.code === 'unrecognized_keys'
    ? `${at} has unknown field(s): ${issue.keys.join(', ')}`
    : `${at}: ${issue.message}`;
  throw new HttpError(400, 'bad_request', message);
}

function customerId(params: unknown): number {
  const raw = (params as { id?: string }).id ?? '';
  if (!/^[1-9]\d{0,14}$/.test(raw)) throw new HttpError(400, 'bad_request', `customer id must be a positive whole number, got "${raw.slice(0, 32)}"`);
  return Number(raw);
}

export interface BuiltServer {
  app: FastifyInstance;
  metrics: ApiMetrics | undefined;
  tokens: TokenService;
}

export function buildServer(config: ApiConfig, secrets: Secrets, store: Store, logStream?: NodeJS.WritableStream): BuiltServer {
  const metrics = config.metrics ? createMetrics(() => store.activeTokenCount()) : undefined;
  const tokens = new TokenService(
    { secret: secrets.jwtSecret, issuer: config.issuer, audience: config.audience, accessTtlSeconds: config.accessTtlSeconds, refreshTtlSeconds: config.refreshTtlSeconds },
    store,
    metrics,
  );
  const cipher = new FieldCipher(secrets.encryptionKeys, secrets.activeKeyId);
  const perUser = new WindowCounter(config.loginLimitPerUser, config.loginWindowSeconds * 1000);
  const perClient = new WindowCounter(config.loginLimitPerClient, config.loginWindowSeconds * 1000);

  const app = Fastify({
    bodyLimit: BODY_LIMIT,
    // A client that trickles its request (or never finishes it) is cut off, not waited for.
    requestTimeout: 30_000,
    // Our onResponse hook logs each request once, without anything identifying.
    logController: new LogController({ disableRequestLogging: true }),
    logger: config.logLevel === 'silent' ? false : {
      level: config.logLevel,
      ...(logStream ? { stream: logStream } : {}),
      // Request logs carry the route template and status only: no paths, query strings,
      // headers (tokens), bodies (PII) or client addresses.
      serializers: { req: () => ({}), res: () => ({}) },
    },
  });

  const security = (event: SecurityEvent): void => {
    metrics?.securityEvents.labels(event).inc();
  };

  const crypt = <T>(op: CryptoOperation, field: EncryptedField, run: () => T): T => {
    const started = process.hrtime.bigint();
    try {
      const value = run();
      metrics?.encryptionOps.labels(op, field).inc();
      return value;
    } catch (err) {
      metrics?.encryptionFailures.labels(op, field).inc();
      throw err;
    } finally {
      metrics?.encryptionDuration.labels(op, field).observe(Number(process.hrtime.bigint() - started) / 1e9);
    }
  };
  const ctx = (id: number, field: EncryptedField): FieldContext => ({ table: 'customers', recordId: id, field });
  const present = (row: CustomerRow) => ({
    id: row.id,
    name: row.name,
    email: crypt('decrypt', 'email', () => cipher.decrypt(row.email_ct, ctx(row.id, 'email'))),
    phone: crypt('decrypt', 'phone', () => cipher.decrypt(row.phone_ct, ctx(row.id, 'phone'))),
    owner: row.owner,
    created_at: new Date(row.created_at * 1000).toISOString(),
    updated_at: new Date(row.updated_at * 1000).toISOString(),
  });

  if (metrics) {
    app.server.on('connection', (socket) => {
      metrics.connectionsActive.inc();
      socket.once('close', () => metrics.connectionsActive.dec());
    });
  }

  app.addHook('onRequest', async (request) => {
    request.startedAt = process.hrtime.bigint();
  });
  app.addHook('onResponse', async (request, reply) => {
    if (request.routeOptions.config.timed === false) return;
    const endpoint = request.routeOptions.url ?? 'unmatched';
    const seconds = Number(process.hrtime.bigint() - (request.startedAt ?? process.hrtime.bigint())) / 1e9;
    if (metrics) {
      const method = KNOWN_METHODS.has(request.method) ? request.method : 'OTHER';
      metrics.httpRequests.labels(method, endpoint, String(reply.statusCode)).inc();
      metrics.httpDuration.labels(method, endpoint).observe(seconds);
    }
    request.log.info({ method: request.method, endpoint, status: reply.statusCode, ms: Math.round(seconds * 1e4) / 10 }, 'request');
  });

  app.setNotFoundHandler(async (request, reply) => {
    return reply.code(404).send({ error: 'not_found', message: `no route for ${request.method} ${request.url.split('?')[0]!.slice(0, 100)}` });
  });

  app.setErrorHandler(async (err: Error & { statusCode?: number; code?: string }, request, reply) => {
    if (err instanceof HttpError) {
      return reply.code(err.statusCode).headers(err.headers).send({ error: err.error, message: err.message });
    }
    const status = err.statusCode ?? 500;
    if (status < 500) {
      // Fastify's own 4xx: bad JSON, empty body, body too large, unsupported media type.
      const error = status === 413 ? 'payload_too_large' : status === 415 ? 'unsupported_media_type' : 'bad_request';
      const message = err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError
        ? 'request body is not valid JSON'
        : status === 413 ? `request body is larger than ${BODY_LIMIT} bytes` : err.message;
      return reply.code(status).send({ error, message });
    }
    request.log.error({ err: { type: err.name, code: err.code, stack: err.stack } }, 'unhandled error');
    return reply.code(500).send({ error: 'internal', message: 'internal server error' });
  });

  const authenticate = async (request: FastifyRequest): Promise<void> => {
    const header = request.headers.authorization;
    const challenge = { 'www-authenticate': 'Bearer realm="poc3-security"' };
    if (!header) throw new HttpError(401, 'unauthorized', 'missing Authorization: Bearer token', challenge);
    const match = /^Bearer ([A-Za-z0-9_.-]{1,4096})$/.exec(header);
    try {
      if (!match) throw new TokenError('invalid', 'Authorization header is not "Bearer <token>"');
      request.principal = await tokens.verifyAccess(match[1]!);
    } catch (err) {
      if (!(err instanceof TokenError)) throw err;
      security('invalid_token');
      throw new HttpError(401, 'unauthorized', err.message, { 'www-authenticate': `Bearer realm="poc3-security", error="invalid_token"` });
    }
  };

  app.get('/health', { config: { timed: false } }, async () => {
    store.ping();
    return { status: 'ok' };
  });

  app.get('/metrics', { config: { timed: false } }, async (_request, reply) => {
    if (!metrics) return reply.code(404).send({ error: 'not_found', message: 'metrics are turned off (API_METRICS=off)' });
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  app.post('/auth/login', async (request, reply) => {
    const body = parse(Login, request.body, 'body');
    const clientKey = request.ip;
    const userKey = body.username.toLowerCase();
    if (perClient.exceeded(clientKey) || perUser.exceeded(userKey)) {
      security('rate_limited');
      const retry = Math.max(perClient.retryAfter(clientKey), perUser.retryAfter(userKey));
      throw new HttpError(429, 'rate_limited', `too many login attempts; try again in ${retry} s`, { 'retry-after': String(retry) });
    }
    // Counted before the password is checked (scrypt takes a while): concurrent guesses cannot
    // all pass the limit while the first ones are still being hashed. A success resets the user's.
    perClient.hit(clientKey);
    perUser.hit(userKey);
    const user = store.userByName(body.username);
    if (!(await verifyPassword(body.password, user?.password_hash)) || !user) {
      security('failed_login');
      throw new HttpError(401, 'invalid_credentials', 'wrong username or password');
    }
    perUser.reset(userKey);
    return reply.send(await tokens.issuePair(user));
  });

  app.post('/auth/refresh', async (request) => {
    const body = parse(Refresh, request.body, 'body');
    try {
      return await tokens.rotate(body.refresh_token);
    } catch (err) {
      if (!(err instanceof TokenError)) throw err;
      security(err.reason === 'reused' ? 'refresh_reuse' : 'invalid_token');
      throw new HttpError(401, 'invalid_token', err.message);
    }
  });

  app.post('/auth/logout', { preHandler: authenticate }, async (request, reply) => {
    tokens.revoke(request.principal!);
    return reply.code(204).send();
  });

  const loadOwned = (request: FastifyRequest): CustomerRow => {
    const id = customerId(request.params);
    const row = store.customer(id);
    if (!row) throw new HttpError(404, 'not_found', `customer ${id} does not exist`);
    const who = request.principal!;
    if (who.role !== 'admin' && row.owner_id !== who.userId) {
      security('forbidden');
      throw new HttpError(403, 'forbidden', `customer ${id} belongs to another user`);
    }
    return row;
  };
  const resolveOwner = (request: FastifyRequest, owner: string | undefined): number => {
    const who = request.principal!;
    if (owner === undefined || owner === who.username) return who.userId;
    if (who.role !== 'admin') {
      security('forbidden');
      throw new HttpError(403, 'forbidden', 'only an admin may set another owner');
    }
    const user = store.userByName(owner);
    if (!user) throw new HttpError(400, 'bad_request', `body.owner: no user named "${owner.slice(0, 64)}"`);
    return user.id;
  };

  app.get('/customers', { preHandler: authenticate }, async (request) => {
    const query = parse(ListQuery, request.query, 'query');
    const limit = query.limit ?? 20;
    const offset = query.offset ?? 0;
    const who = request.principal!;
    const { rows, total } = store.listCustomers(who.role === 'admin' ? null : who.userId, limit, offset);
    return { items: rows.map(present), total, limit, offset };
  });

  app.post('/customers', { preHandler: authenticate }, async (request, reply) => {
    const body = parse(CustomerInput, request.body, 'body');
    const ownerId = resolveOwner(request, body.owner);
    const row = store.createCustomer(ownerId, (id) => ({
      name: body.name,
      emailCt: crypt('encrypt', 'email', () => cipher.encrypt(body.email, ctx(id, 'email'))),
      phoneCt: crypt('encrypt', 'phone', () => cipher.encrypt(body.phone, ctx(id, 'phone'))),
    }));
    return reply.code(201).header('location', `/customers/${row.id}`).send(present(row));
  });

  app.get('/customers/:id', { preHandler: authenticate }, async (request) => present(loadOwned(request)));

  app.put('/customers/:id', { preHandler: authenticate }, async (request) => {
    const row = loadOwned(request);
    const body = parse(CustomerInput, request.body, 'body');
    if (body.owner !== undefined && body.owner !== row.owner) {
      throw new HttpError(400, 'bad_request', 'body.owner: a customer cannot change owner');
    }
    const updated = store.updateCustomer(
      row.id,
      body.name,
      crypt('encrypt', 'email', () => cipher.encrypt(body.email, ctx(row.id, 'email'))),
      crypt('encrypt', 'phone', () => cipher.encrypt(body.phone, ctx(row.id, 'phone'))),
    );
    return present(updated);
  });

  app.delete('/customers/:id', { preHandler: authenticate }, async (request, reply: FastifyReply) => {
    const row = loadOwned(request);
    store.deleteCustomer(row.id);
    return reply.code(204).send();
  });

  if (config.faults) {
    // Injected faults (API_FAULTS=on): counted and timed like any route, so the SLI panels and
    // HighErrorRate / HighLatency see them as they would see a real failure. Only for an admin:
    // anything on the machine reaches the published port, and a slow route is a lever.
    const admin = async (request: FastifyRequest): Promise<void> => {
      await authenticate(request);
      if (request.principal!.role !== 'admin') {
        security('forbidden');
        throw new HttpError(403, 'forbidden', 'fault injection is for an admin');
      }
    };
    app.get('/debug/error', { preHandler: admin }, async () => {
      throw new HttpError(500, 'injected_fault', 'an injected failure (API_FAULTS=on)');
    });
    const SlowQuery = z.object({ ms: z.string().regex(/^\d{1,4}$/, 'must be a whole number of milliseconds').transform(Number).refine((n) => n <= 5000, 'at most 5000').optional() });
    app.get('/debug/slow', { preHandler: admin }, async (request) => {
      const { ms = 1500 } = parse(SlowQuery, request.query, 'query');
      await new Promise((r) => setTimeout(r, ms));
      return { slept_ms: ms };
    });
  }

  // A row that no key in the ring can open is a server-side problem, but it must not leak details.
  app.addHook('onError', async (request, _reply, err) => {
    if (err instanceof DecryptionError) request.log.error({ reason: err.message }, 'stored field could not be decrypted');
  });

  return { app, metrics, tokens };
}
