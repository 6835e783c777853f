// The user's configuration: an editable copy of observability/'s configs in the app's data
// directory (made on first run), and the history of every config that was applied.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The repository's observability/ directory, or the packaged app's copy: the Electron main
 * process sets OBSDECK_SHIPPED_DIR to its resources (a bundle's own location says nothing).
 */
export function shippedDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.OBSDECK_SHIPPED_DIR ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'observability');
}

/** The files a user edits, relative to the config directory. */
export const CONFIG_FILES = ['prometheus.yml', 'prometheus_rules.yml', 'alertmanager.yml'] as const;
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
    for (const f of CONFIG_FILES) fs.cpSync(path.join(shipped, f), path.join(tmp, f));
    fs.cpSync(path.join(shipped, 'grafana'), path.join(tmp, 'grafana'), { recursive: true });
    fs.cpSync(path.join(shipped, 'tests'), path.join(tmp, 'tests'), { recursive: true });
    fs.renameSync(tmp, dir);
  }
  return dir;
}

export interface HistoryEntry { id: string; at: string; files: string[]; note: string }

/** Applied configs, newest last, each a full copy of CONFIG_FILES at that moment. */
export class ConfigHistory {
  readonly dir: string;
  constructor(data = dataDir()) {
    this.dir = path.join(data, 'config-history');
  }

  list(): HistoryEntry[] {
    if (!fs.existsSync(this.dir)) return [];
    return fs.readdirSync(this.dir).sort().flatMap((id) => {
      try {
        return [JSON.parse(fs.readFileSync(path.join(this.dir, id, 'entry.json'), 'utf8')) as HistoryEntry];
      } catch {
        return [];
      }
    });
  }

  record(configDir: string, note: string): HistoryEntry {
    const at = new Date().toISOString();
    const id = `${at.replace(/[-:.]/g, '')}-${String(this.list().length + 1).padStart(4, '0')}`;
    const target = path.join(this.dir, id);
    fs.mkdirSync(target, { recursive: true });
    const files = CONFIG_FILES.filter((f) => fs.existsSync(path.join(configDir, f)));
    for (const f of files) fs.copyFileSync(path.join(configDir, f), path.join(target, f));
    const entry = { id, at, files, note };
    fs.writeFileSync(path.join(target, 'entry.json'), JSON.stringify(entry, null, 2));
    return entry;
  }

  read(id: string, file: ConfigFile): string {
    const p = path.join(this.dir, id, file);
    if (!fs.existsSync(p)) throw new Error(`history entry ${id} has no ${file} (entries: ${this.list().map((e) => e.id).join(', ') || 'none'})`);
    return fs.readFileSync(p, 'utf8');
  }

  /** Puts an entry's files back into the config directory (apply them afterwards). */
  restore(id: string, configDir: string): void {
    if (!fs.existsSync(path.join(this.dir, id, 'entry.json'))) throw new Error(`no history entry ${id} (entries: ${this.list().map((e) => e.id).join(', ') || 'none'})`);
    for (const f of CONFIG_FILES) {
      const p = path.join(this.dir, id, f);
      if (fs.existsSync(p)) fs.copyFileSync(p, path.join(configDir, f));
    }
  }
}

/** A line diff (unified-style, no context folding) of two texts. */
export function diffLines(a: string, b: string): string[] {
  const x = a.split('\n');
  const y = b.split('\n');
  // Longest common subsequence table; config files are small.
  const lcs = Array.from({ length: x.length + 1 }, () => new Array<number>(y.length + 1).fill(0));
  for (let i = x.length - 1; i >= 0; i--) for (let j = y.length - 1; j >= 0; j--) lcs[i]![j] = x[i] === y[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < x.length || j < y.length) {
    if (i < x.length && j < y.length && x[i] === y[j]) { i++; j++; continue; }
    if (i < x.length && (j === y.length || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) out.push(`-${x[i++]!}`);
    else out.push(`+${y[j++]!}`);
  }
  return out;
}
