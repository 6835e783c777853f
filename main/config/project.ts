// The stack as the app and the CLI run it: the shipped compose file, the user's config copy,
// and image overrides from the environment.
import fs from 'node:fs';
import path from 'node:path';
import type Docker from 'dockerode';
import { withSecrets } from './secrets.js';
import { basicAuth, ensureAuthFiles, STACK_USER, type StackAuth } from './stack-auth.js';
import { useCredentials } from '../prom/fetch.js';
import { dataDir, ensureConfigDir, shippedDir } from './store.js';
import { readSettings } from '../images/settings.js';
import { AUTH_LABEL, loadCompose, serviceBase, type StackSpec } from '../stack/compose.js';
import { Stack } from '../stack/stack.js';

export const DEFAULT_PROJECT = 'obsdeck';

export interface StackLocation {
  composeFile?: string;
  project?: string;
  env?: NodeJS.ProcessEnv;
  /** The app's data directory (OBSDECK_HOME by default). */
  data?: string;
}

export const COMPOSE_NAME = 'docker-compose.yml';

/**
 * Where the compose file the stack runs is: OBSDECK_COMPOSE_FILE (or the caller's) as it is; otherwise the
 * user's edited copy in the config directory when there is one (made by the Config view), else
 * the shipped file. The copy's relative paths (the API's build context) still mean the shipped
 * directory, so it is read as if it were there.
 */
export function composeLocation(loc: StackLocation = {}): { file: string; source: string; editable: boolean } {
  const env = loc.env ?? process.env;
  const given = loc.composeFile ?? env.OBSDECK_COMPOSE_FILE;
  if (given) return { file: given, source: given, editable: false };
  const shipped = path.join(shippedDir(env), COMPOSE_NAME);
  const copy = path.join(ensureConfigDir(loc.data ?? dataDir(env)), COMPOSE_NAME);
  return { file: shipped, source: fs.existsSync(copy) ? copy : shipped, editable: true };
}

/** composeLocation() and the text of the file in use. */
export function composeSource(loc: StackLocation = {}): { file: string; text: string; source: string; editable: boolean } {
  const where = composeLocation(loc);
  return { ...where, text: fs.readFileSync(where.source, 'utf8') };
}

/** The compose model of `text` (a draft, or the file in use) for this location. */
export function specOf(text: string, loc: StackLocation = {}): { spec: StackSpec; configDir: string; auth: StackAuth } {
  const data = loc.data ?? dataDir(loc.env ?? process.env);
  const env = withSecrets(loc.env ?? process.env, data);
  const configDir = ensureConfigDir(data);
  const { file, source } = composeLocation(loc);
  const auth = { username: STACK_USER, password: env.STACK_WEB_PASSWORD!, webhookToken: env.OBSDECK_WEBHOOK_TOKEN!, vitalsToken: env.OBSDECK_VITALS_TOKEN! };
  const spec = loadCompose(text, { file, source, project: loc.project ?? env.OBSDECK_PROJECT ?? DEFAULT_PROJECT, env, configDir });
  chooseImages(spec, readSettings(data).images);
  return { spec, configDir, auth };
}

/**
 * The images the user chose in the app (Images panel, `obsdeck images use`) over the compose
 * file's: a chosen image runs as it is, so a service's build is dropped with it.
 */
export function chooseImages(spec: StackSpec, chosen: Record<string, string>): void {
  for (const s of spec.services) {
    const image = chosen[s.name];
    if (!image || image === s.image) continue;
    s.chosenOver = s.image;
    s.image = image;
    delete s.build;
  }
}

/** The stack as it runs now, with the compose text it was read from. */
export function loadSpec(loc: StackLocation = {}): { spec: StackSpec; configDir: string; text: string; auth: StackAuth } {
  const { text } = composeSource(loc);
  const loaded = specOf(text, loc);
  // Only the stack that runs (never a draft being checked) gets its credential files made and
  // its services' origins given the stack's user for every request the app makes to them.
  ensureAuthFiles(loaded.configDir, loaded.auth);
  for (const s of loaded.spec.services) {
    const base = serviceBase(s);
    if (base && s.labels[AUTH_LABEL] === 'basic') useCredentials(base, basicAuth(loaded.auth));
  }
  return { ...loaded, text };
}

export function openStack(docker: Docker, loc: StackLocation = {}): { stack: Stack; configDir: string } {
  const { spec, configDir } = loadSpec(loc);
  return { stack: new Stack(docker, spec), configDir };
}
