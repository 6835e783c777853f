// The POC3 Security API: authentication with JWTs, customers with encrypted contact fields,
// health and Prometheus metrics, and (API_FAULTS=on) injected faults. `buildServer` wires the
// shared parts and registers one Fastify plugin per route family (routes/); main.ts runs it.
import net from 'node:net';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { ApiConfig } from './config.js';
import { DecryptionError, FieldCipher } from './field-crypto.js';
import { HttpError } from './http.js';
import { createMetrics, type ApiMetrics, type SecurityEvent } from './metrics.js';
import { WindowCounter } from './rate-limit.js';
import { authRoutes, bearerAuth } from './routes/auth.js';
import type { ApiContext } from './routes/context.js';
import { customerRoutes } from './routes/customers.js';
import { debugRoutes } from './routes/debug.js';
import { healthRoutes } from './routes/health.js';
import type { Secrets } from './secrets.js';
import type { Store } from './store.js';
import { TokenService, type Principal } from './tokens.js';

export { MAX_PAGE } from './routes/customers.js';
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
  const security = (event: SecurityEvent): void => {
    metrics?.securityEvents.labels(event).inc();
  };
  const ctx: ApiContext = {
    config, store, tokens, metrics, security,
    cipher: new FieldCipher(secrets.encryptionKeys, secrets.activeKeyId),
    limits: {
      perUser: new WindowCounter(config.loginLimitPerUser, config.loginWindowSeconds * 1000),
      perClient: new WindowCounter(config.loginLimitPerClient, config.loginWindowSeconds * 1000),
    },
    authenticate: bearerAuth(tokens, security),
  };

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
  observe(app, metrics);
  checkHost(app, config.allowedHosts);
  app.register(healthRoutes, ctx);
  app.register(authRoutes, ctx);
  app.register(customerRoutes, ctx);
  if (config.faults) app.register(debugRoutes, ctx);
  return { app, metrics, tokens };
}

/** The name a Host header gives, lower-cased, without its port ([::1]:8083 → ::1). */
export function hostName(host: string | undefined): string {
  const h = (host ?? '').trim().toLowerCase();
  const v6 = /^\[([^\]]+)\](?::\d+)?$/.exec(h);
  return v6 ? v6[1]! : h.replace(/:\d+$/, '');
}

/**
 * Answers only requests addressed to the API: an IP address (127.0.0.1 through a published port,
 * a task's or pod's address when Prometheus scrapes it), localhost, or one of its names. A page
 * on another site that rebinds its DNS name to 127.0.0.1 sends its own name, and gets 421.
 */
function checkHost(app: FastifyInstance, allowed: string[]): void {
  const names = new Set(['localhost', ...allowed]);
  app.addHook('onRequest', async (request, reply) => {
    const name = hostName(request.headers.host);
    if (net.isIP(name) || names.has(name)) return;
    return reply.code(421).send({ error: 'misdirected', message: 'this API answers only to its own names and addresses' });
  });
}

/**
 * What every request goes through, whichever plugin answers it: timed and counted per route
 * template (never the path), one log line, and errors as `{ error, message }` that leak nothing.
 */
function observe(app: FastifyInstance, metrics: ApiMetrics | undefined): void {
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

  // A row that no key in the ring can open is a server-side problem, but it must not leak details.
  app.addHook('onError', async (request, _reply, err) => {
    if (err instanceof DecryptionError) request.log.error({ reason: err.message }, 'stored field could not be decrypted');
  });
}
