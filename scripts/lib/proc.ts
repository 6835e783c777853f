// Small helpers for set-up scripts: one-line announcements and child processes that fail loudly.
import { spawn, spawnSync, type SpawnOptions } from 'node:child_process';

/** Every install or start is announced in one line saying what and why. */
export function say(line: string): void {
  process.stderr.write(`[obsdeck] ${line}\n`);
}

export function which(cmd: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** Runs a command to completion; rejects with its exit code and the tail of its output. */
export function run(cmd: string, args: string[], opts: SpawnOptions & { quiet?: boolean } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (!opts.quiet) process.stderr.write(d);
    });
    child.stderr?.on('data', (d: Buffer) => {
      out += d.toString();
      if (!opts.quiet) process.stderr.write(d);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(out);
      else reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}\n${out.split('\n').slice(-15).join('\n')}`));
    });
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
