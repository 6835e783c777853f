// What the Config view opens with: the config files as saved, what the running services hold
// (for the diff), the compose file the stack runs (and whether the app may edit it), and the
// history of applied versions, newest first.
import fs from 'node:fs';
import path from 'node:path';
import type { ConfigFileName, ConfigState } from '../contract.js';
import { COMPOSE_NAME, composeSource, type StackLocation } from './project.js';
import type { Stack } from '../stack/stack.js';
import type { ConfigTarget } from './change.js';
import { versionedTargets, versionOfTexts } from '../stack/config-version.js';
import { GENERATED, offeredFiles, setFiles } from './manifest.js';
import { CONFIG_FILES, shippedDir, type ConfigFile, type ConfigHistory } from './store.js';

/** `target`: where the stack runs now (its files are what "running" and the diff compare with). */
export async function configState(loc: StackLocation, loaded: { configDir: string; text: string }, stack: Stack | undefined, history: ConfigHistory, target?: ConfigTarget, shipped = shippedDir()): Promise<ConfigState> {
  const running = target ? await target.runningFiles() : {};
  const compose = composeSource(loc);
  return {
    configDir: loaded.configDir,
    files: [
      ...CONFIG_FILES.map((name) => ({ name, text: fs.readFileSync(path.join(loaded.configDir, name), 'utf8'), ...(running[name] !== undefined ? { running: running[name] } : {}) })),
      {
        name: COMPOSE_NAME, text: compose.text, path: compose.source, running: loaded.text,
        ...(compose.editable ? {} : { readOnly: 'OBSDECK_COMPOSE_FILE names this file: edit it where it is' }),
      },
      // The objectives, their generated rules, and the rule tests: files no service holds a copy
      // of to compare with (slo_rules.yml's copy follows slos.yml's Apply).
      ...setFiles(loaded.configDir).filter((f) => !(CONFIG_FILES as readonly string[]).includes(f)).map((f) => ({
        name: f as ConfigFileName, text: fs.readFileSync(path.join(loaded.configDir, f), 'utf8'),
        ...(f in GENERATED ? { readOnly: `Obsdeck generates this file from ${GENERATED[f]!}: edit that file, and Apply writes both` } : {}),
      })),
    ],
    offered: offeredFiles(loaded.configDir, shipped),
    history: history.list().reverse().map((e, i) => {
      // Only the entries the page shows are read again, to tell which one each service runs.
      const runningIn = i < 20 && stack ? runningServices(stack, running, (f) => (history.has(e.id, f) ? history.read(e.id, f) : undefined)) : [];
      return { id: e.id, at: e.at, note: e.note, ...(runningIn.length ? { runningIn } : {}) };
    }),
  };
}

/** The running Prometheus and Alertmanager whose config files are the entry's. */
function runningServices(stack: Stack, running: Partial<Record<ConfigFile, string>>, entryText: (f: ConfigFile) => string | undefined): string[] {
  return (['prometheus', 'alertmanager'] as const).filter((name) => {
    const service = stack.spec.services.find((s) => s.name === name);
    if (!service) return false;
    const names = [...versionedTargets(service).values()] as ConfigFile[];
    if (!names.length || names.some((f) => running[f] === undefined)) return false;
    const entry = Object.fromEntries(names.map((f) => [f, entryText(f)]));
    return versionOfTexts(service, running) === versionOfTexts(service, entry);
  });
}
