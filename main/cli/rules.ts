// `obsdeck rules`: the alert workbench from a terminal. `backtest` evaluates a rule (applied, or
// in a rules file given with --file) over a past window of the stack's Prometheus and prints the
// intervals it would have fired, as the Alerts and Config views show them.
import fs from 'node:fs';
import path from 'node:path';
import type { AlertActivation, BacktestResult } from '../contract.js';
import { PrometheusClient } from '../prom/client.js';
import { appliedRuleFiles, backtest, globalEvaluationInterval } from '../rules/backtest.js';
import { formatDuration, parseWhen } from '../rules/files.js';
import { serviceBase } from '../stack/compose.js';
import { openStack, openTarget, requireRunning } from './context.js';
import { dim, out, red, yellow } from './output.js';
import { UsageError, type Command } from './table.js';

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

export const rulesCommand: Command = {
  name: 'rules', section: 'Prometheus', args: 'backtest RULE',
  help: 'backtest an alerting or recording rule over the stack\'s history\nPrints each label set\'s pending, firing and resolved times, and whether Prometheus\' ALERTS agree.',
  options: {
    file: { type: 'string', value: 'RULES_FILE', help: 'a draft of the rules file (default: the applied one)' },
    group: { type: 'string', value: 'GROUP', help: 'the rule\'s group, when its name is in several' },
    from: { type: 'string', value: 'WHEN', help: 'start: now, a duration back (6h), RFC 3339 or Unix seconds (default 1h)' },
    to: { type: 'string', value: 'WHEN', help: 'end (default now)' },
    json: { type: 'boolean', help: 'print the whole result as JSON' },
  },
  run: async ({ positionals, values }) => {
    if (positionals[0] !== 'backtest' || positionals.length !== 2) throw new UsageError('rules takes: backtest RULE');
    const now = Date.now();
    const from = parseWhen(typeof values.from === 'string' ? values.from : '1h', now);
    const to = parseWhen(typeof values.to === 'string' ? values.to : 'now', now);
    const draft = typeof values.file === 'string' ? fs.readFileSync(path.resolve(values.file), 'utf8') : undefined;
    const stack = await requireRunning('prometheus', 'Prometheus');
    const base = serviceBase(stack.service('prometheus'));
    if (!base) throw new Error('the stack has no published Prometheus port');
    const files = await appliedRuleFiles((await openTarget(stack)).config(), (await openStack()).configDir);
    const request = { name: positionals[1]!, ...(typeof values.group === 'string' ? { group: values.group } : {}), ...(draft !== undefined ? { draft } : {}), from, to };
    const result = await backtest(new PrometheusClient(base), files.rules, request, globalEvaluationInterval(files.prometheus));
    if (values.json) {
      out(JSON.stringify(result, null, 2));
      return 0;
    }
    for (const line of backtestLines(result)) out(line.startsWith('note:') || line.startsWith('Prometheus (re)started') ? yellow(line) : line.startsWith('  ') ? red(line) : line.startsWith('LABELS') ? dim(line) : line);
    return 0;
  },
};
