// The stack as the app and the CLI run it: the shipped compose file, the user's config copy,
// and image overrides from the environment.
import fs from 'node:fs';
import path from 'node:path';
import type Docker from 'dockerode';
import { withSecrets } from '../config/secrets.js';
import { dataDir, ensureConfigDir, shippedDir } from '../config/store.js';
import { loadCompose, type StackSpec } from './compose.js';
import { Stack } from './stack.js';

export const DEFAULT_PROJECT = 'obsdeck';

export interface StackLocation {
  composeFile?: string;
  project?: string;
  env?: NodeJS.ProcessEnv;
  /** The app's data directory (OBSDECK_HOME by default). */
  data?: string;
}

export function loadSpec(loc: StackLocation = {}): { spec: StackSpec; configDir: string } {
  const data = loc.data ?? dataDir(loc.env ?? process.env);
  const env = withSecrets(loc.env ?? process.env, data);
  // OBSDECK_COMPOSE_FILE runs another compose file (its configs are still the user's copy).
  const file = loc.composeFile ?? env.OBSDECK_COMPOSE_FILE ?? path.join(shippedDir(env), 'docker-compose.yml');
  const configDir = ensureConfigDir(data);
  const spec = loadCompose(fs.readFileSync(file, 'utf8'), { file, project: loc.project ?? env.OBSDECK_PROJECT ?? DEFAULT_PROJECT, env, configDir });
  return { spec, configDir };
}

export function openStack(docker: Docker, loc: StackLocation = {}): { stack: Stack; configDir: string } {
  const { spec, configDir } = loadSpec(loc);
  return { stack: new Stack(docker, spec), configDir };
}
