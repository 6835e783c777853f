// The stack's passwords, generated once per machine and kept in the app's data directory (mode
// 0600), so no service ever prints a generated password into its log and nothing is hard-coded.
// A value given in the environment wins. They are generated only when the file is absent: the
// volumes hold users made with them, so a damaged file is reported (never silently replaced,
// which would lock the user out of their own stack), and written atomically.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { publishOnce, writeAtomically } from '../files/atomic.js';

/**
 * The API's users, Grafana's admin, the stack's own user (Prometheus and Alertmanager; see
 * stack-auth.ts), the token Alertmanager's webhook shows the app's receiver and the one
 * Prometheus scrapes the app's vitals with.
 */
export const SECRET_VARIABLES = ['API_ADMIN_PASSWORD', 'API_USER_PASSWORD', 'GRAFANA_ADMIN_PASSWORD', 'STACK_WEB_PASSWORD', 'OBSDECK_WEBHOOK_TOKEN', 'OBSDECK_VITALS_TOKEN'] as const;
export type StackSecrets = Record<(typeof SECRET_VARIABLES)[number], string>;

export class SecretsDamaged extends Error {}

function damaged(file: string, why: string): SecretsDamaged {
  return new SecretsDamaged(`${file} is damaged (${why}). It holds the passwords the stack's volumes were set up with, so Obsdeck will not make new ones over it: put back a copy of the file, or delete it together with the stack's volumes (\`obsdeck down --volumes\`) to start afresh.`);
}

export function stackSecrets(data: string): StackSecrets {
  const file = path.join(data, 'secrets.json');
  let text: string | undefined;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw damaged(file, `unreadable: ${(err as Error).message}`);
  }
  let stored: Partial<StackSecrets> = {};
  if (text !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw damaged(file, `not JSON: ${(err as Error).message}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw damaged(file, 'not an object of passwords');
    stored = parsed;
    const bad = SECRET_VARIABLES.filter((k) => k in stored && (typeof stored[k] !== 'string' || stored[k] === ''));
    if (bad.length) throw damaged(file, `${bad.join(', ')} ${bad.length > 1 ? 'are' : 'is'} not a password`);
  }
  // A secret this version of the app has and the file lacks (an older app wrote it) is added; the others are kept.
  const missing = SECRET_VARIABLES.filter((k) => !stored[k]);
  const secrets = Object.fromEntries(SECRET_VARIABLES.map((k) => [k, stored[k] || crypto.randomBytes(18).toString('base64url')])) as StackSecrets;
  if (missing.length) {
    fs.mkdirSync(data, { recursive: true, mode: 0o700 });
    const json = `${JSON.stringify({ ...stored, ...secrets }, null, 2)}\n`;
    if (text !== undefined) {
      writeAtomically(file, json);
    } else if (!publishOnce(file, json)) {
      // Another Obsdeck process (the app and a terminal at their first start) published its
      // passwords first: everyone uses those, or the stack would get two sets.
      return stackSecrets(data);
    }
  }
  return secrets;
}

/** The environment the compose file is read with: the caller's, with the stored secrets filling the gaps. */
export function withSecrets(env: NodeJS.ProcessEnv, data: string): NodeJS.ProcessEnv {
  const secrets = stackSecrets(data);
  const out = { ...env };
  for (const k of SECRET_VARIABLES) if (!out[k]) out[k] = secrets[k];
  return out;
}
