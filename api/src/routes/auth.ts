// POST /auth/login, /auth/refresh and /auth/logout; and the Bearer-token check every other route
// that needs a user runs first.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { HttpError, parse } from '../http.js';
import type { SecurityEvent } from '../metrics.js';
import { verifyPassword } from '../passwords.js';
import { TokenError, type TokenService } from '../tokens.js';
import type { ApiContext } from './context.js';

const Login = z.strictObject({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(256),
});
const Refresh = z.strictObject({ refresh_token: z.string().min(1).max(4096) });

/** The pre-handler that sets request.principal from a valid access token, or answers 401. */
export function bearerAuth(tokens: TokenService, security: (e: SecurityEvent) => void): (request: FastifyRequest) => Promise<void> {
  return async (request) => {
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
}

export async function authRoutes(app: FastifyInstance, { store, tokens, limits, security, authenticate }: ApiContext): Promise<void> {
  const { perClient, perUser } = limits;

  app.post('/auth/login', async (request, reply) => {
    const body = parse(Login, request.body, 'body');
    const user = store.userByName(body.username);
    // An account's attempts are limited per user name; attempts at names that are no account are
    // limited per address. Never an account's by the address: behind the engine's port proxy every
    // local caller has one address, and a stranger's failures at other names must not lock the
    // admin out.
    const [limit, key] = user ? [perUser, body.username.toLowerCase()] : [perClient, request.ip];
    const userKey = body.username.toLowerCase();
    if (limit.exceeded(key) || perUser.exceeded(userKey)) {
      security('rate_limited');
      const retry = Math.max(limit.retryAfter(key), perUser.retryAfter(userKey));
      throw new HttpError(429, 'rate_limited', `too many login attempts; try again in ${retry} s`, { 'retry-after': String(retry) });
    }
    // Counted before the password is checked (scrypt takes a while): concurrent guesses cannot
    // all pass the limit while the first ones are still being hashed. A success resets the user's.
    limit.hit(key);
    if (limit !== perUser) perUser.hit(userKey);
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
}
