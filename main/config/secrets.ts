// The stack's passwords, generated once per machine and kept in the app's data directory (mode
// 0600), so no service ever prints a generated password into its log and nothing is hard-coded.
// A value given in the environment wins.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const SECRET_VARIABLES = ['API_ADMIN_PASSWORD', 'API_USER_PASSWORD', 'GRAFANA_ADMIN_PASSWORD'] as const;
export type StackSecrets = Record<(typeof SECRET_VARIABLES)[number], string>;

export function stackSecrets(data: string): StackSecrets {
  const file = path.join(data, 'secrets.json');
  let stored: Partial<StackSecrets> = {};
  try {
    stored = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<StackSecrets>;
  } catch { /* first run, or unreadable: made anew below */ }
  const complete = SECRET_VARIABLES.every((k) => typeof stored[k] === 'string' && stored[k] !== '');
  const secrets = Object.fromEntries(SECRET_VARIABLES.map((k) => [k, stored[k] || crypto.randomBytes(18).toString('base64url')])) as StackSecrets;
  if (!complete) {
    fs.mkdirSync(data, { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
    fs.renameSync(tmp, file);
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
