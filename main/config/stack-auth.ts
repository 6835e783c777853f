// The stack's own endpoints take credentials generated per install: loopback is not a trust
// boundary (web pages, other processes and every container on the machine reach 127.0.0.1 and
// the Docker bridge). Prometheus and Alertmanager serve only requests with the app's basic-auth
// user (their upstream --web.config.file, with a bcrypt hash made here), and Alertmanager's
// webhook carries a bearer token the app's receiver checks; Prometheus scrapes the app's vitals
// with another (a scrape job's credentials cannot send alerts). The files are made in the config
// directory's auth/ from the secrets, copied into the containers with the configs, and never
// recorded in the config history. The directory is 0700 (no other user of this machine gets
// in); the files in it are 0644, because a bind mount (docker compose without the app) hands
// the file itself to the container, whose Prometheus runs as `nobody`.
import fs from 'node:fs';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import { writeAtomically } from '../files/atomic.js';

/** The user the app, Prometheus (scraping itself and Alertmanager) and Grafana's data source sign in as. */
export const STACK_USER = 'obsdeck';

export interface StackAuth { username: string; password: string; webhookToken: string; vitalsToken: string }

/** `Authorization: Basic …` for the stack's user. */
export function basicAuth(auth: Pick<StackAuth, 'username' | 'password'>): string {
  return `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
}

/**
 * Makes `<dir>/auth/` hold web.yml (the bcrypt hash of the password), password and
 * webhook-token (Alertmanager's to the app's receiver) and vitals-token (Prometheus' to the app's
 * vitals) for these secrets; files already right are left alone (a new bcrypt salt would
 * change them for nothing).
 */
export function ensureAuthFiles(dir: string, auth: StackAuth): string {
  const authDir = path.join(dir, 'auth');
  fs.mkdirSync(authDir, { recursive: true, mode: 0o700 });
  fs.chmodSync(authDir, 0o700);
  const read = (f: string) => {
    try {
      return fs.readFileSync(path.join(authDir, f), 'utf8');
    } catch {
      return undefined;
    }
  };
  if (read('password') !== auth.password || !hashMatches(read('web.yml'), auth)) {
    const hash = bcrypt.hashSync(auth.password, 10);
    writeAtomically(path.join(authDir, 'web.yml'), `# Made by Obsdeck from secrets.json: the one user of Prometheus' and Alertmanager's HTTP APIs.\nbasic_auth_users:\n  ${auth.username}: '${hash}'\n`, 0o644);
    writeAtomically(path.join(authDir, 'password'), auth.password, 0o644);
  }
  if (read('webhook-token') !== auth.webhookToken) writeAtomically(path.join(authDir, 'webhook-token'), auth.webhookToken, 0o644);
  if (read('vitals-token') !== auth.vitalsToken) writeAtomically(path.join(authDir, 'vitals-token'), auth.vitalsToken, 0o644);
  return authDir;
}

function hashMatches(webYml: string | undefined, auth: StackAuth): boolean {
  const m = webYml && new RegExp(`^\\s+${auth.username}: '([^']+)'$`, 'm').exec(webYml);
  return !!m && bcrypt.compareSync(auth.password, m[1]!);
}
