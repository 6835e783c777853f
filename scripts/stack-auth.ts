// `npm run stack:auth`: the stack's credentials for a run without the app (docker compose on
// observability/ directly): makes observability/auth/ (web.yml, password, webhook-token, vitals-token) with a
// random password and token, kept across runs. The app makes its own in its config directory.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureAuthFiles, STACK_USER, type StackAuth } from '../main/config/stack-auth.js';

const shipped = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'observability');

/** The credentials of `dir`/auth, made when missing (kept when there). */
export function stackAuthFor(dir = shipped): StackAuth {
  const keep = (f: string) => {
    try {
      return fs.readFileSync(path.join(dir, 'auth', f), 'utf8') || undefined;
    } catch {
      return undefined;
    }
  };
  const auth = { username: STACK_USER, password: keep('password') ?? crypto.randomBytes(18).toString('base64url'), webhookToken: keep('webhook-token') ?? crypto.randomBytes(24).toString('base64url'), vitalsToken: keep('vitals-token') ?? crypto.randomBytes(24).toString('base64url') };
  ensureAuthFiles(dir, auth);
  return auth;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  stackAuthFor();
  process.stdout.write(`observability/auth/ holds the stack's credentials: user ${STACK_USER}, password in observability/auth/password\n(curl -u ${STACK_USER}:"$(cat observability/auth/password)" http://127.0.0.1:9090/api/v1/targets)\n`);
}
