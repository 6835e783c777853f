// Applying an edited compose file, on the same rollback policy as the configs (change.ts):
// checked first (refused with its problems, nothing changed), written beside and renamed into
// place as the user's copy, the stack reopened on it and the running services brought up to
// date (a changed definition replaces its container, volumes kept). On failure the previous
// file goes back and its services are brought back up, and the error says so.
import fs from 'node:fs';
import type { ConfigProblem } from '../contract.js';
import type { Stack } from '../stack/stack.js';
import { ApplyRefused, ApplyRolledBack, stageBeside, withRollback } from './change.js';

export interface ComposeChange {
  /** The user's copy of the compose file (in the config directory). */
  copy: string;
  /** The draft's problems (composeProblems); any error refuses it. */
  problems: ConfigProblem[];
  /** The services running now: kept running on the new file, or brought back on the old one. */
  running: string[];
  /** Reopens the stack on the compose file as it is on disk; undefined when no engine answers. */
  reopen: () => Promise<Stack | undefined>;
  /** Brings these services of `stack` up and waits for them. */
  up: (stack: Stack, services: string[]) => Promise<void>;
}

export async function applyCompose(text: string, c: ComposeChange): Promise<{ id: ''; note: string }> {
  const errors = c.problems.filter((p) => p.severity === 'error');
  if (errors.length) throw new ApplyRefused(errors, 'docker-compose.yml');
  const before = fs.existsSync(c.copy) ? fs.readFileSync(c.copy, 'utf8') : undefined;
  return withRollback(async (undo) => {
    fs.renameSync(stageBeside(c.copy, text), c.copy);
    undo(async () => {
      if (before === undefined) fs.rmSync(c.copy, { force: true });
      else fs.renameSync(stageBeside(c.copy, before), c.copy);
      const back = await c.reopen();
      if (back && c.running.length) await c.up(back, c.running);
    });
    const stack = await c.reopen();
    if (!stack) return { id: '' as const, note: 'docker-compose.yml saved; it applies when the stack starts' };
    const still = c.running.filter((n) => stack.spec.services.some((s) => s.name === n));
    if (still.length) await c.up(stack, still);
    return { id: '' as const, note: still.length ? `docker-compose.yml applied; the running services (${still.join(', ')}) are up to date with it` : 'docker-compose.yml saved; it applies at the next Start' };
  }, (err) => new ApplyRolledBack(`docker-compose.yml was not applied (${err instanceof Error ? err.message : String(err)}); the previous file was put back${c.running.length ? ` and ${c.running.join(', ')} brought back up` : ''}`, { cause: err }));
}
