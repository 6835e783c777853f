// Reads the API's settings from the environment, failing fast with a message that names the variable.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface ApiConfig {
  host: string;
  port: number;
  dataDir: string;
  /** Seconds an access token lives. */
  accessTtlSeconds: number;
  /** Seconds a refresh token lives. */
  refreshTtlSeconds: number;
  issuer: string;
  audience: string;
  /** Login attempts allowed per username (failures) and per client address (all) in one window. */
  loginLimitPerUser: number;
  loginLimitPerClient: number;
  loginWindowSeconds: number;
  /**
   * The host names the API answers to (besides localhost and any IP address, which is how
   * Prometheus scrapes a Swarm task or a pod): its service names; API_ALLOWED_HOSTS adds more.
   */
  allowedHosts: string[];
  /** When false, no metric is recorded (used by bench/api-overhead as the baseline). */
  metrics: boolean;
  adminPassword: string | undefined;
  userPassword: string | undefined;
  jwtSecret: string | undefined;
  encryptionKey: string | undefined;
  logLevel: string;
  /**
   * Fault injection for demos and alert drills (API_FAULTS=on): GET /debug/error answers 500 and
   * GET /debug/slow?ms= answers late, so HighErrorRate and HighLatency can be shown firing. Off
   * unless asked for; the observability stack turns it on for its loopback-only API.
   */
  faults: boolean;
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function flag(env: NodeJS.ProcessEnv, name: string): boolean {
  const raw = (env[name] ?? 'off').toLowerCase();
  if (raw === 'on' || raw === 'true' || raw === '1') return true;
  if (raw === 'off' || raw === 'false' || raw === '0' || raw === '') return false;
  throw new Error(`${name} must be on or off, got "${env[name] ?? ''}"`);
}

/**
 * A secret from `name`, or from the file `name`_FILE names (a Swarm or Kubernetes secret mounted
 * as a file, so the value is in no environment a `docker inspect` shows); undefined when neither.
 */
function secret(env: NodeJS.ProcessEnv, name: string): string | undefined {
  if (env[name]) return env[name];
  const file = env[`${name}_FILE`];
  if (!file) return undefined;
  try {
    return fs.readFileSync(file, 'utf8').replace(/\r?\n$/, '') || undefined;
  } catch (err) {
    throw new Error(`${name}_FILE names ${file}, which cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { cause: err });
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  return {
    host: env.HOST ?? '127.0.0.1',
    port: int(env, 'PORT', 8083, 0, 65535),
    dataDir: path.resolve(env.API_DATA_DIR ?? path.join('.data', 'api')),
    accessTtlSeconds: int(env, 'API_ACCESS_TTL_SECONDS', 900, 1, 86_400),
    refreshTtlSeconds: int(env, 'API_REFRESH_TTL_SECONDS', 7 * 86_400, 1, 90 * 86_400),
    issuer: env.API_JWT_ISSUER ?? 'poc3-security',
    audience: env.API_JWT_AUDIENCE ?? 'poc3-security-api',
    loginLimitPerUser: int(env, 'API_LOGIN_LIMIT_PER_USER', 10, 1, 100_000),
    loginLimitPerClient: int(env, 'API_LOGIN_LIMIT_PER_CLIENT', 60, 1, 100_000),
    loginWindowSeconds: int(env, 'API_LOGIN_WINDOW_SECONDS', 60, 1, 3600),
    allowedHosts: ['api_poc3', 'api-poc3', os.hostname(), ...(env.API_ALLOWED_HOSTS ?? '').split(',').map((h) => h.trim()).filter(Boolean)].map((h) => h.toLowerCase()),
    metrics: env.API_METRICS !== 'off',
    adminPassword: secret(env, 'API_ADMIN_PASSWORD'),
    userPassword: secret(env, 'API_USER_PASSWORD'),
    jwtSecret: secret(env, 'API_JWT_SECRET'),
    encryptionKey: secret(env, 'API_ENCRYPTION_KEY'),
    logLevel: env.API_LOG_LEVEL ?? 'info',
    faults: flag(env, 'API_FAULTS'),
  };
}
