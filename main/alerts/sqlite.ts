// One small interface over SQLite for the app's own data: Node's built-in `node:sqlite` where the
// runtime has it (Electron's main process: a native addon there would need Electron's headers,
// which cannot be downloaded here), else better-sqlite3 (Node 20, the CLI and `obsdeck serve`).
// Both are synchronous and take the same SQL; only what the history needs is exposed.
import { createRequire } from 'node:module';

export interface Statement {
  run(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  get(...params: unknown[]): unknown;
}

export interface Db {
  exec(sql: string): void;
  prepare(sql: string): Statement;
  close(): void;
  /** Which library opened it. */
  readonly driver: 'node:sqlite' | 'better-sqlite3';
}

const require = createRequire(import.meta.url);

/** Opens (creating) the database file with the first driver this runtime has. */
export function openDb(file: string): Db {
  type Native = new (f: string) => { exec(s: string): void; prepare(s: string): Statement; close(): void };
  let builtin: Native | undefined;
  try {
    builtin = (require('node:sqlite') as { DatabaseSync: Native }).DatabaseSync;
  } catch {
    builtin = undefined; // Node 20: not built in
  }
  if (builtin) {
    const db = new builtin(file);
    return { exec: (s) => db.exec(s), prepare: (s) => db.prepare(s), close: () => db.close(), driver: 'node:sqlite' };
  }
  const Database = require('better-sqlite3') as Native;
  const db = new Database(file);
  return { exec: (s) => db.exec(s), prepare: (s) => db.prepare(s), close: () => db.close(), driver: 'better-sqlite3' };
}
