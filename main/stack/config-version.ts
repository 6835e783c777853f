// Which config a service runs: a short hash of the config files (prometheus.yml,
// prometheus_rules.yml, alertmanager.yml) as copied into its container, by target path. The
// status carries it, and the Config view marks the applied version whose files hash the same.
import crypto from 'node:crypto';
import path from 'node:path';
import { CONFIG_FILE_NAMES } from '../contract.js';
import type { ServiceSpec } from './compose.js';

/** The service's mounts that carry one of the config files: target path → file name. */
export function versionedTargets(s: ServiceSpec): Map<string, string> {
  const names: readonly string[] = CONFIG_FILE_NAMES;
  return new Map(s.mounts.filter((m) => m.type === 'bind' && names.includes(path.basename(m.source))).map((m) => [m.target, path.basename(m.source)]));
}

/** The version of `files` (target → content) for `s`, or undefined when it mounts no config file. */
export function configVersion(s: ServiceSpec, files: Record<string, Buffer | string>): string | undefined {
  const targets = [...versionedTargets(s).keys()].sort();
  if (!targets.length) return undefined;
  const h = crypto.createHash('sha256');
  for (const t of targets) h.update(`${t}\0`).update(files[t] ?? '').update('\0');
  return h.digest('hex').slice(0, 12);
}

/** The version `s` would run with these config texts (by file name), as configVersion counts it. */
export function versionOfTexts(s: ServiceSpec, texts: Partial<Record<string, string>>): string | undefined {
  const files: Record<string, string> = {};
  for (const [target, name] of versionedTargets(s)) files[target] = texts[name] ?? '';
  return configVersion(s, files);
}
