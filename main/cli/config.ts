// `obsdeck validate`, `apply`, `history` and `restore`: the same path as the app's Validate, Apply and Restore.
import fs from 'node:fs';
import path from 'node:path';
import { applyChange, restoreEntry, toolsOf } from '../config/change.js';
import { formatProblem } from '../config/expressions.js';
import { setFiles } from '../config/manifest.js';
import { ConfigHistory, dataDir, diffLines } from '../config/store.js';
import { validateConfigs } from '../config/validate.js';
import { loadSpec } from '../config/project.js';
import { Stack } from '../stack/stack.js';
import { NO_WAIT } from './lock.js';
import { engine, locked, NoEngine, openStack, openTarget } from './context.js';
import { dim, green, out, red, yellow } from './output.js';
import { UsageError, type Command, type Parsed } from './table.js';

async function apply(values: Parsed['values'], restoreId?: string): Promise<number> {
  const { stack, configDir } = await openStack();
  const history = new ConfigHistory(dataDir());
  const on = (s: { message: string }) => out(`${dim('…')} ${s.message}`);
  return locked(stack, 'apply', values, async () => {
    // The same path as the app's Apply and Restore, on whichever target runs the stack.
    const ctx = { target: (await openTarget(stack)).config(), configDir, history, on };
    const entry = restoreId ? await restoreEntry(ctx, restoreId) : await applyChange(ctx);
    out(green(`✓ applied (${entry.note}); history entry ${entry.id}`));
    return 0;
  });
}

export const configCommands: Command[] = [
  {
    name: 'validate', section: 'Configuration',
    help: 'check the configs (YAML, PromQL, promtool, amtool); exit 1 on any error',
    options: { json: { type: 'boolean', help: 'print JSON' } },
    run: async ({ values }) => {
      const { spec, configDir } = loadSpec();
      let stack: Stack | undefined;
      try {
        stack = new Stack(await engine(), spec);
      } catch (err) {
        if (!(err instanceof NoEngine)) throw err;
      }
      const { tools, why } = await toolsOf(stack);
      const problems = await validateConfigs(configDir, tools);
      const errors = problems.filter((p) => p.severity === 'error');
      if (values.json) {
        out(JSON.stringify({ configDir, valid: errors.length === 0, toolsRun: tools !== undefined, problems }, null, 2));
      } else {
        for (const p of problems) out(`${path.join(configDir, p.file)}${formatProblem(p).slice(p.file.length)}`);
        if (why) process.stderr.write(`${yellow('note')}: ${why}\n`);
        if (!errors.length) out(green(`${configDir}: valid${tools ? ` (promtool and amtool of ${tools.images.prometheus} and ${tools.images.alertmanager} agree)` : ''}`));
      }
      return errors.length === 0 ? 0 : 1;
    },
  },
  {
    name: 'apply', section: 'Configuration',
    help: 'validate, copy into the running stack, reload, confirm; roll back on failure',
    options: NO_WAIT,
    run: ({ values }) => apply(values),
  },
  {
    name: 'history', section: 'Configuration', args: '[ID]',
    help: 'the applied configurations, or how one differs from the current files',
    run: async ({ positionals: [id] }) => {
      const history = new ConfigHistory(dataDir());
      if (!id) {
        const list = history.list();
        if (!list.length) out('nothing has been applied yet');
        for (const e of list) out(`${e.id}  ${e.at}  ${e.note}`);
        return 0;
      }
      const { configDir } = loadSpec();
      // Every file of the set, then or now (a rule test recorded since shows as all added).
      const then = history.files(id);
      for (const f of [...new Set([...then, ...setFiles(configDir)])]) {
        const diff = diffLines(then.includes(f) ? history.read(id, f) : '', fs.existsSync(path.join(configDir, f)) ? fs.readFileSync(path.join(configDir, f), 'utf8') : '');
        if (!diff.length) continue;
        out(`--- ${f} (${id})\n+++ ${f} (now)`);
        for (const l of diff) out(l.startsWith('+') ? green(l) : red(l));
      }
      return 0;
    },
  },
  {
    name: 'restore', section: 'Configuration', args: 'ID',
    help: 'apply an earlier configuration again (the config files change only if it succeeds)',
    options: NO_WAIT,
    run: async ({ positionals: [id], values }) => {
      if (!id) throw new UsageError('restore needs a history entry (see `obsdeck history`)');
      new ConfigHistory(dataDir()).entry(id);
      return apply(values, id);
    },
  },
];
