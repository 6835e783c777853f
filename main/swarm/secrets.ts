// What the Swarm target keeps secret: the files services read credentials from, and the
// environment variables that carry one (moved into Swarm secrets read through *_FILE); and the
// key their Swarm names are made with.
import crypto from 'node:crypto';
import type { ServiceSpec } from '../stack/compose.js';
import { mountedFiles } from '../stack/mounts.js';

/** Files a service reads its credentials from: Swarm secrets, not configs. */
export const isSecret = (target: string) => /\/auth\/(password|webhook-token|vitals-token)$/.test(target);
/**
 * Environment variables that carry a secret, and the variable that names a file holding it
 * instead: on Swarm the value goes into a Swarm secret (encrypted in the Raft log, in memory on
 * the task's node only) rather than the service's Env, which `docker service inspect`, the Raft
 * log and every worker's `docker inspect` show.
 */
export const ENV_SECRETS: Record<string, string> = {
  API_ADMIN_PASSWORD: 'API_ADMIN_PASSWORD_FILE',
  API_USER_PASSWORD: 'API_USER_PASSWORD_FILE',
  API_JWT_SECRET: 'API_JWT_SECRET_FILE',
  API_ENCRYPTION_KEY: 'API_ENCRYPTION_KEY_FILE',
  GF_SECURITY_ADMIN_PASSWORD: 'GF_SECURITY_ADMIN_PASSWORD__FILE',
};
export const envSecretPath = (name: string) => `/run/secrets/obsdeck/${name.toLowerCase()}`;

/**
 * The key of secrets' names: a hash of every secret the stack holds (random, generated per
 * install), so no one value can be tried against a name.
 */
export function secretKey(services: ServiceSpec[]): Buffer {
  const all = services.flatMap((s) => [
    ...Object.entries(mountedFiles(s)).filter(([t]) => isSecret(t)).map(([t, d]) => `${s.name}\0${t}\0${d.toString('base64')}`),
    ...Object.entries(s.environment).filter(([k, v]) => ENV_SECRETS[k] && v).map(([k, v]) => `${s.name}\0${k}\0${v}`),
  ]).sort();
  return crypto.createHash('sha256').update(all.join('\n')).digest();
}
