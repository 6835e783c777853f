// `obsdeck rules`: the alert workbench from a terminal. `backtest` evaluates a rule (applied, or
// in a rules file given with --file) over a past window of the stack's Prometheus and prints the
// intervals it would have fired, as the Alerts and Config views show them.
import fs from 'node:fs';
import path from 'node:path';
import type { AlertActivation, BacktestResult } from '../contract.js';
import { PrometheusClient } from '../prom/client.js';
import { applyChange, appliedFiles } from '../config/change.js';
import { ConfigHistory, dataDir } from '../config/store.js';
import { backtest, globalEvaluationInterval } from '../rules/backtest.js';
import { routingView, treeLines } from '../routes/routes.js';
import { loadSpec } from '../config/project.js';
import { AlertmanagerClient } from '../prom/client.js';
import { formatDuration, parseWhen } from '../rules/files.js';
import { serviceBase } from '../stack/compose.js';
import { locked, NoEngine, openStack, openTarget, requireRunning } from './context.js';
import { dim, green, out, red, yellow } from './output.js';
import { runRuleTests, testFiles } from '../rules/tests.js';
import { UsageError, type Command, type Parsed } from './table.js';
import { recordTest } from '../rules/record.js';

const iso = (t: number | undefined) => (t === undefined ? '-' : new Date(t).toISOString().replace('.000Z', 'Z'));
const labelText = (l: Record<string, string>) => `{${Object.entries(l).filter(([k]) => k !== 'alertname').map(([k, v]) => `${k}="${v}"`).join(', ')}}`;

/** The backtest as lines: a header, then one line per activation that reaches the window (label set, pending from, firing from, resolved at). */
export function backtestLines(r: BacktestResult): string[] {
  const lines = [`${r.rule.kind === 'alert' ? 'alert' : 'record'} ${r.rule.name} (group ${r.rule.group}${r.rule.draft ? ', draft' : ''}): ${r.evaluations} evaluations every ${formatDuration(r.intervalMs)} over ${iso(r.from)} to ${iso(r.to)} (from ${formatDuration(r.from - r.evalFrom)} earlier)${r.rule.kind === 'alert' ? `, for ${formatDuration(r.rule.forMs)}` : ''}`];
  for (const n of r.notes) lines.push(`note: ${n}`);
  if (r.inlined.length) lines.push(`evaluated inline from the draft: ${r.inlined.join(', ')}`);
  for (const t of r.restarts) lines.push(`Prometheus (re)started at ${iso(t)}: alerts start over there`);
  if (r.rule.kind === 'record') {
    lines.push(`${r.recorded?.length ?? 0} series would be recorded`);
    return lines;
  }
  const shown = (list: AlertActivation[]) => list.filter((a) => (a.resolvedAt ?? Infinity) > r.from);
  const would = shown(r.would);
  lines.push(`LABELS\tPENDING FROM\tFIRING FROM\tRESOLVED AT`);
  if (!would.length) lines.push('(never pending in the window)');
  for (const a of would) lines.push(`${labelText(a.labels)}\t${iso(a.pendingFrom)}\t${iso(a.firingFrom)}\t${iso(a.resolvedAt)}`);
  if (r.actual) {
    const agree = !r.disagreements?.length;
    lines.push(agree ? 'Prometheus\' ALERTS agree at every evaluation in the window' : `Prometheus' ALERTS differ at ${r.disagreements!.length} evaluations:`);
    for (const d of (r.disagreements ?? []).slice(0, 20)) lines.push(`  ${d}`);
  }
  return lines;
}

/** `obsdeck rules test [FILE]`: the config directory's promtool tests, a line a case; exit 1 when one fails. */
async function ruleTests(file: string | undefined, draftFile: string | undefined): Promise<number> {
  const { stack, configDir } = await openStack();
  const draft = draftFile !== undefined ? fs.readFileSync(path.resolve(draftFile), 'utf8') : undefined;
  const files = file ? [file] : testFiles(configDir);
  if (!files.length) out(dim(`no test files in ${path.join(configDir, 'tests')}`));
  let ok = true;
  for (const f of files) {
    const r = await runRuleTests(stack.docker, (await openTarget(stack)).config().images.prometheus, configDir, f, draft);
    ok &&= r.ok;
    out(`${r.ok ? green('✓') : red('✗')} ${r.file} (${r.cases.length} cases against the ${r.rules} rules, ${(r.ms / 1000).toFixed(1)} s)`);
    for (const c of r.cases.filter((x) => !x.ok)) {
      out(red(`  ${r.file}:${c.line}: ${c.group}: ${c.kind === 'alert' ? c.what : `expr ${c.what}`} at ${c.evalTime}`));
      for (const line of (c.message ?? '').split('\n')) out(dim(`    ${line}`));
    }
    for (const p of r.problems ?? []) out(red(`  ${p}`));
  }
  return ok ? 0 : 1;
}

/** `obsdeck rules record RULE`: a promtool test from live data, saved only when promtool agrees. */
async function record(name: string, values: Parsed['values']): Promise<number> {
  const now = Date.now();
  const from = parseWhen(typeof values.from === 'string' ? values.from : '30m', now);
  const to = parseWhen(typeof values.to === 'string' ? values.to : 'now', now);
  const stack = await requireRunning('prometheus', 'Prometheus');
  const base = serviceBase(stack.service('prometheus'));
  if (!base) throw new Error('the stack has no published Prometheus port');
  const { configDir } = await openStack();
  const target = (await openTarget(stack)).config();
  const files = await appliedFiles(target, configDir);
  // Saved as `obsdeck apply` saves: under the stack's lock, into the version history.
  const save = (rel: string, text: string) => locked(stack, 'apply', values, () => applyChange({ target, configDir, history: new ConfigHistory(dataDir()) }, { [rel]: text }));
  const r = await recordTest(new PrometheusClient(base), stack.docker, target.images.prometheus, configDir, files['prometheus_rules.yml'], { name, from, to, ...(typeof values.save === 'string' ? { save: values.save } : {}) }, globalEvaluationInterval(files['prometheus.yml']), save);
  if (values.json) {
    out(JSON.stringify(r, null, 2));
    return r.agree ? 0 : 1;
  }
  if (!values.save) out(r.text);
  out(r.agree ? green(`promtool agrees with the backtest at ${r.expectations.length} times${r.saved ? `: saved as ${r.saved}` : ' (--save NAME keeps it in the config directory\'s tests/)'}`) : red('promtool and the backtest disagree: not saved'));
  for (const c of r.verdict.cases.filter((x) => !x.ok)) for (const line of (c.message ?? '').split('\n')) out(dim(`  ${line}`));
  return r.agree ? 0 : 1;
}

export const rulesCommand: Command = {
  name: 'rules', section: 'Prometheus', args: 'backtest RULE | test [FILE] | record RULE',
  help: 'backtest a rule over the stack\'s history, or run the promtool rule tests\nbacktest: each label set\'s pending, firing and resolved times, and whether Prometheus\' ALERTS agree.\nrecord: a promtool test of RULE from live data (--from, --to), run by promtool; --save NAME keeps it when promtool agrees.\ntest: the config directory\'s tests/*.yml with the stack\'s promtool (--file tests a draft of the rules); exit 1 when a case fails.',
  options: {
    file: { type: 'string', value: 'RULES_FILE', help: 'a draft of the rules file (default: the applied one)' },
    group: { type: 'string', value: 'GROUP', help: 'the rule\'s group, when its name is in several' },
    from: { type: 'string', value: 'WHEN', help: 'start: now, a duration back (6h), RFC 3339 or Unix seconds (default 1h)' },
    to: { type: 'string', value: 'WHEN', help: 'end (default now)' },
    save: { type: 'string', value: 'NAME', help: 'record: keep the test as tests/NAME.yml when promtool agrees' },
    json: { type: 'boolean', help: 'print the whole result as JSON' },
  },
  run: async ({ positionals, values }) => {
    if (positionals[0] === 'record' && positionals.length === 2) return record(positionals[1]!, values);
    if (positionals[0] === 'test' && positionals.length <= 2) return ruleTests(positionals[1], typeof values.file === 'string' ? values.file : undefined);
    if (positionals[0] !== 'backtest' || positionals.length !== 2) throw new UsageError('rules takes: backtest RULE, test [FILE], or record RULE');
    const now = Date.now();
    const from = parseWhen(typeof values.from === 'string' ? values.from : '1h', now);
    const to = parseWhen(typeof values.to === 'string' ? values.to : 'now', now);
    const draft = typeof values.file === 'string' ? fs.readFileSync(path.resolve(values.file), 'utf8') : undefined;
    const stack = await requireRunning('prometheus', 'Prometheus');
    const base = serviceBase(stack.service('prometheus'));
    if (!base) throw new Error('the stack has no published Prometheus port');
    const files = await appliedFiles((await openTarget(stack)).config(), (await openStack()).configDir);
    const request = { name: positionals[1]!, ...(typeof values.group === 'string' ? { group: values.group } : {}), ...(draft !== undefined ? { draft } : {}), from, to };
    const result = await backtest(new PrometheusClient(base), files['prometheus_rules.yml'], request, globalEvaluationInterval(files['prometheus.yml']));
    if (values.json) {
      out(JSON.stringify(result, null, 2));
      return 0;
    }
    for (const line of backtestLines(result)) out(line.startsWith('note:') || line.startsWith('Prometheus (re)started') ? yellow(line) : line.startsWith('  ') ? red(line) : line.startsWith('LABELS') ? dim(line) : line);
    return 0;
  },
};

/** `--test a=b` (several) as labels; a value may hold `=`. */
function labelsOf(items: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    const at = item.indexOf('=');
    if (at < 1) throw new UsageError(`--test takes LABEL=VALUE, got "${item}"`);
    out[item.slice(0, at)] = item.slice(at + 1).replace(/^"(.*)"$/, '$1');
  }
  return out;
}

export const routesCommand: Command = {
  name: 'routes', section: 'Prometheus',
  help: 'Alertmanager\'s routing tree, or the receivers a label set reaches\nWith --test, prints one receiver a line (as `amtool config routes test` does, one a line), then any active alert that would mute it.',
  options: {
    file: { type: 'string', value: 'ALERTMANAGER_YML', help: 'a draft of alertmanager.yml (default: the applied one)' },
    test: { type: 'string', multiple: true, value: 'LABEL=VALUE', help: 'a label of the alert to route (repeat for each)' },
    json: { type: 'boolean', help: 'print the whole result as JSON' },
  },
  run: async ({ values }) => {
    const labels = Array.isArray(values.test) ? labelsOf(values.test) : undefined;
    let text: string;
    let active: Record<string, string>[] = [];
    if (typeof values.file === 'string') {
      text = fs.readFileSync(path.resolve(values.file), 'utf8');
    } else {
      // The applied file: what Alertmanager runs, else the config directory's copy (no engine needed).
      const opened = await openStack().catch((err: unknown) => {
        if (err instanceof NoEngine) return undefined;
        throw err;
      });
      const configDir = opened?.configDir ?? loadSpec().configDir;
      text = (await appliedFiles(opened ? (await openTarget(opened.stack)).config() : undefined, configDir))['alertmanager.yml'];
      const am = opened && labels ? await (await openTarget(opened.stack)).container('alertmanager').catch(() => undefined) : undefined;
      const base = am && opened ? serviceBase(opened.stack.service('alertmanager')) : undefined;
      if (base) active = await new AlertmanagerClient(base).alerts().then((as) => as.map((a) => a.labels), () => []);
    }
    const view = routingView(text, { draft: typeof values.file === 'string', ...(labels ? { labels, active } : {}) });
    if (values.json) {
      out(JSON.stringify(view, null, 2));
      return 0;
    }
    if (!view.test) {
      for (const line of treeLines(view.root)) out(line);
      if (view.inhibit.length) out(dim(`inhibit: ${view.inhibit.map((r) => `[${r.source.join(', ')}] mutes [${r.target.join(', ')}] on equal [${r.equal.join(', ')}]`).join('; ')}`));
      return 0;
    }
    for (const r of view.test.receivers) out(r);
    for (const i of view.test.inhibitedBy) out(yellow(`muted while ${JSON.stringify(i.source)} fires (inhibit rule ${i.rule + 1})`));
    return 0;
  },
};
