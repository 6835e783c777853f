// A config change on Swarm, through the same steps as without it: validated as text with the
// stack's promtool and amtool (Validate is the same), staged beside the live files, then each
// service that mounts a changed file is updated to new versioned configs and must converge
// (every replica running and answering) — otherwise Swarm's previous spec comes back — and only
// then is the draft renamed into the config directory and recorded in the history.
import fs from 'node:fs';
import path from 'node:path';
import { ApplyRefused, ApplyRolledBack, stageBeside, textsOf, withRollback, type Drafts, type OnApplyStep } from '../config/change.js';
import type { ConfigHistory, HistoryEntry } from '../config/store.js';
import { validateTexts } from '../config/validate.js';
import type { SwarmStack } from './swarm.js';

export interface SwarmChangeContext { swarm: SwarmStack; configDir: string; history: ConfigHistory; on?: OnApplyStep }

export async function applyOnSwarm(ctx: SwarmChangeContext, drafts: Drafts): Promise<HistoryEntry> {
  const { swarm, configDir, history } = ctx;
  const on = ctx.on ?? (() => undefined);
  const tools = { prometheus: swarm.local.service('prometheus').image, alertmanager: swarm.local.service('alertmanager').image };
  on({ step: 'validate', message: 'validating with the stack\'s own promtool and amtool' });
  const texts = textsOf(configDir, drafts);
  const problems = (await validateTexts(texts, configDir, { docker: swarm.docker, images: tools })).filter((p) => p.severity === 'error');
  if (problems.length) throw new ApplyRefused(problems);
  const changed = Object.keys(drafts).map((f) => path.join(configDir, f));
  const deployed = new Set((await swarm.status()).map((s) => s.service));
  const targets = swarm.spec.services.filter((s) => deployed.has(s.name) && s.mounts.some((m) => m.type === 'bind' && changed.includes(m.source)));
  const note = `applied on Swarm to ${targets.map((t) => t.name).join(' and ') || 'no deployed service (used at next deploy)'}`;
  let touched = false;
  return withRollback(async (undo) => {
    const staged = changed.map((file) => ({ file, staged: stageBeside(file, drafts[path.basename(file) as keyof Drafts]!) }));
    undo(() => staged.forEach((s) => fs.rmSync(s.staged, { force: true })));
    const entry = history.stage(texts, note);
    undo(() => entry.discard());
    const replace = Object.fromEntries(changed.map((file) => [file, Buffer.from(drafts[path.basename(file) as keyof Drafts]!)]));
    for (const t of targets) {
      on({ step: 'copy', service: t.name, message: `new versioned configs for ${t.name}; updating the service` });
      touched = true;
      // applyFiles puts the previous spec back itself when the service does not converge.
      await swarm.applyFiles(t.name, replace, (e) => on({ step: 'reload', service: t.name, message: e.message }));
      undo(async () => {
        on({ step: 'rollback', service: t.name, message: `restoring ${t.name}'s previous configs` });
        await swarm.applyFiles(t.name, {});
      });
      on({ step: 'confirm', service: t.name, message: `${t.name} runs the new configuration on every replica` });
    }
    const committed = entry.commit();
    for (const s of staged) fs.renameSync(s.staged, s.file);
    on({ step: 'record', message: `recorded as ${committed.id}` });
    return committed;
  }, (err) => (err instanceof ApplyRolledBack ? err
    : new ApplyRolledBack(`the new configuration failed (${err instanceof Error ? err.message : String(err)}); ${touched ? 'the previous one was restored' : 'nothing was changed'}`, { cause: err })));
}
