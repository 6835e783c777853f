// Files other processes may read or write at the same moment (the app, `obsdeck serve` and
// `obsdeck` in a terminal share one data directory): written whole, never torn.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** Writes `text` to `file` so that a crash leaves the old file or the new one, never a torn one. */
export function writeAtomically(file: string, text: string, mode = 0o600): void {
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  // 'wx': a new file with this mode, never one (or a symlink) already at the name.
  const fd = fs.openSync(tmp, 'wx', mode);
  try {
    fs.writeFileSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  const dir = fs.openSync(path.dirname(file), 'r');
  try {
    fs.fsyncSync(dir);
  } catch { /* not every platform syncs a directory */ } finally {
    fs.closeSync(dir);
  }
}

/** Creates `file` holding `text` whole, only if it does not exist (link() fails then): false when another process made it first. */
export function publishOnce(file: string, text: string): boolean {
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(tmp, text, { mode: 0o600 });
  try {
    fs.linkSync(tmp, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}
