// The app's own settings (<data>/settings.json): the image a user chose for a service in the
// Images panel or with `obsdeck images use`, and which images came from an imported tarball.
// Written atomically; a damaged file is reported with its name and never replaced.
import fs from 'node:fs';
import path from 'node:path';
import { writeAtomically } from '../files/atomic.js';

export interface AppSettings {
  /** service → image reference, chosen by the user over the compose file's. */
  images: Record<string, string>;
  /** image id → when and from which file it was imported. */
  imported: Record<string, { at: string; from: string }>;
}

export class SettingsDamaged extends Error {
  constructor(readonly file: string, why: string) {
    super(`the app's settings file ${file} is damaged (${why}); fix or remove it — Obsdeck does not overwrite it`);
  }
}

export const settingsFile = (data: string) => path.join(data, 'settings.json');

export function readSettings(data: string): AppSettings {
  const file = settingsFile(data);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { images: {}, imported: {} };
    throw err;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new SettingsDamaged(file, err instanceof Error ? err.message : String(err));
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new SettingsDamaged(file, 'not a JSON object');
  const o = raw as Partial<AppSettings>;
  const images = o.images ?? {};
  if (typeof images !== 'object' || Object.values(images).some((v) => typeof v !== 'string')) throw new SettingsDamaged(file, '"images" must map service names to image references');
  return { images, imported: o.imported && typeof o.imported === 'object' ? o.imported : {} };
}

/** Reads, changes and writes the settings in one step (the caller holds the stack's lock). */
export function updateSettings(data: string, change: (s: AppSettings) => void): AppSettings {
  const s = readSettings(data);
  change(s);
  fs.mkdirSync(data, { recursive: true, mode: 0o700 });
  writeAtomically(settingsFile(data), `${JSON.stringify(s, null, 2)}\n`);
  return s;
}
