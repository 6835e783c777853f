// The user's configuration: an editable copy of observability/'s configs in the app's data
// directory (made on first run), and the history of every config that was applied.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { diffArrays } from 'diff';
import { CONFIG_FILE_NAMES } from '../contract.js';
import { writeAtomically } from '../files/atomic.js';
import { EMPTY_SLO_RULES } from '../slo/files.js';
import { SLO_RULES_FILE } from '../slo/generate.js';
import { copySet, readSet, setPath } from './manifest.js';

/**
 * The repository's observability/ directory, or the packaged app's copy: the Electron main
 * process sets OBSDECK_SHIPPED_DIR to its resources (a bundle's own location says nothing).
 */
export function shippedDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.OBSDECK_SHIPPED_DIR ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'observability');
}

/** The files the services read, relative to the config directory (the contract's one list); the whole set is manifest.ts'. */
export const CONFIG_FILES = CONFIG_FILE_NAMES;
export type ConfigFile = (typeof CONFIG_FILES)[number];

/** OBSDECK_HOME, else the platform's place for application data. */
export function dataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform, home = os.homedir()): string {
  if (env.OBSDECK_HOME) return path.resolve(env.OBSDECK_HOME);
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Obsdeck');
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Obsdeck');
  return path.join(env.XDG_DATA_HOME ?? path.join(home, '.local', 'share'), 'obsdeck');
}

/** The config directory, created from the shipped files on first use (later edits are kept). */
export function ensureConfigDir(data = dataDir(), shipped = shippedDir()): string {
  const dir = path.join(data, 'config');
  if (!fs.existsSync(dir)) {
    fs.mkdirSync(data, { recursive: true, mode: 0o700 });
    const tmp = `${dir}.${process.pid}.tmp`;
    fs.rmSync(tmp, { recursive: true, force: true });
    copySet(shipped, tmp, ['grafana']);
    try {
      fs.renameSync(tmp, dir);
    } catch (err) {
      // Another Obsdeck process (the app and a terminal started at once) made it first: use theirs.
      fs.rmSync(tmp, { recursive: true, force: true });
      const code = (err as NodeJS.ErrnoException).code;
      if ((code !== 'ENOTEMPTY' && code !== 'EEXIST') || !fs.existsSync(dir)) throw err;
    }
  }
  // A directory made before objectives were shipped: Prometheus reads slo_rules.yml (the compose
  // file copies it in), so it gets the rules of no objective; slos.yml itself is offered, not copied.
  const sloRules = path.join(dir, SLO_RULES_FILE);
  if (!fs.existsSync(sloRules)) writeAtomically(sloRules, EMPTY_SLO_RULES, 0o644);
  return dir;
}

export interface HistoryEntry { id: string; at: string; files: string[]; note: string }

/** An entry written to a temporary directory: commit() renames it into the history, discard() drops it. */
export interface StagedEntry { id: string; commit(): HistoryEntry; discard(): void }

/**
 * Applied configs, newest last, each a full copy of the config directory's set (manifest.ts) at
 * that moment: an entry's `files` are paths inside the config directory (tests/NAME.yml too).
 */
export class ConfigHistory {
  readonly dir: string;
  constructor(data = dataDir()) {
    this.dir = path.join(data, 'config-history');
  }

  list(): HistoryEntry[] {
    if (!fs.existsSync(this.dir)) return [];
    return fs.readdirSync(this.dir).filter((id) => !id.startsWith('.')).sort().flatMap((id) => {
      try {
        return [JSON.parse(fs.readFileSync(path.join(this.dir, id, 'entry.json'), 'utf8')) as HistoryEntry];
      } catch {
        return [];
      }
    });
  }

  /**
   * Writes an entry of `texts` beside the history (a dot-directory list() skips), so a full disk
   * fails here, before anything else changes; nothing is in the history until commit().
   */
  stage(texts: Record<string, string>, note: string): StagedEntry {
    const at = new Date().toISOString();
    const id = `${at.replace(/[-:.]/g, '')}-${String(this.list().length + 1).padStart(4, '0')}`;
    const tmp = path.join(this.dir, `.${id}.staged`);
    const files = Object.keys(texts).map(setPath);
    const entry: HistoryEntry = { id, at, files, note };
    try {
      fs.mkdirSync(tmp, { recursive: true });
      for (const f of files) {
        fs.mkdirSync(path.dirname(path.join(tmp, f)), { recursive: true });
        fs.writeFileSync(path.join(tmp, f), texts[f]!);
      }
      fs.writeFileSync(path.join(tmp, 'entry.json'), JSON.stringify(entry, null, 2));
    } catch (err) {
      fs.rmSync(tmp, { recursive: true, force: true });
      throw new Error(`could not write the config history in ${this.dir}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    return {
      id,
      commit: () => {
        fs.renameSync(tmp, path.join(this.dir, id));
        return entry;
      },
      discard: () => {
        fs.rmSync(tmp, { recursive: true, force: true });
        fs.rmSync(path.join(this.dir, id), { recursive: true, force: true });
      },
    };
  }

  /** Records the files of `configDir` as they are now. */
  record(configDir: string, note: string): HistoryEntry {
    return this.stage(readSet(configDir), note).commit();
  }

  has(id: string, file: string): boolean {
    return /^[\w-]{1,64}$/.test(id) && fs.existsSync(path.join(this.dir, id, setPath(file)));
  }

  /** The set's files an entry holds (an entry of an earlier version holds fewer). */
  files(id: string): string[] {
    return this.entry(id).files.filter((f) => this.has(id, f));
  }

  read(id: string, file: string): string {
    if (!this.has(id, file)) throw new Error(`history entry ${id} has no ${file} (entries: ${this.list().map((e) => e.id).join(', ') || 'none'})`);
    return fs.readFileSync(path.join(this.dir, id, file), 'utf8');
  }

  /** Checks that an entry exists, naming the ones that do when it does not. */
  entry(id: string): HistoryEntry {
    const found = this.list().find((e) => e.id === id);
    if (!found) throw new Error(`no history entry ${id} (entries: ${this.list().map((e) => e.id).join(', ') || 'none'})`);
    return found;
  }
}

/**
 * A line diff (unified-style, no context folding) of two texts, by the `diff` package's Myers
 * algorithm (near-linear for files that mostly agree). Past `maxEdits` changed lines the texts
 * have little in common, and the diff is all of one, then all of the other.
 */
export function diffLines(a: string, b: string, maxEdits = 20_000): string[] {
  if (a === b) return [];
  const x = a.split('\n');
  const y = b.split('\n');
  const changes = diffArrays(x, y, { maxEditLength: maxEdits });
  if (!changes) return [...x.map((l) => `-${l}`), ...y.map((l) => `+${l}`)];
  return changes.flatMap((c) => (c.added ? c.value.map((l) => `+${l}`) : c.removed ? c.value.map((l) => `-${l}`) : []));
}
