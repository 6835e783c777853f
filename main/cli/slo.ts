// `obsdeck slo`: the objectives of slos.yml from a terminal. `list` prints each with where it
// stands when Prometheus runs (the Objectives view's figures); `check` validates slos.yml and the
// rules generated from it as Apply would (exit 1 on a problem); `generate` prints the rules file.
import fs from 'node:fs';
import path from 'node:path';
import { configText, draftProblems, toolsOf } from '../config/change.js';
import { formatProblem } from '../config/expressions.js';
import { loadSpec } from '../config/project.js';
import { PrometheusClient } from '../prom/client.js';
import { sloOutputs, scrapeIntervalOf } from '../slo/files.js';
import { SLO_RULES_FILE, SLO_TESTS_FILE } from '../slo/generate.js';
import { readObjectives, SLOS_FILE } from '../slo/spec.js';
import { objectivesStatus } from '../slo/status.js';
import { serviceBase } from '../stack/compose.js';
import { Stack } from '../stack/stack.js';
import { engine, NoEngine, openStack, openTarget } from './context.js';
import { columns, dim, green, out, red, yellow } from './output.js';
import { UsageError, type Command, type Parsed } from './table.js';

const pct = (x: number | undefined) => (x === undefined ? '-' : `${Number((x * 100).toPrecision(4))}%`);
const times = (x: number | undefined) => (x === undefined ? '-' : `${Number(x.toPrecision(3))}×`);

function slosText(values: Parsed['values']): { text: string; file: string; configDir: string } {
  const { configDir } = loadSpec();
  if (typeof values.file === 'string') return { text: fs.readFileSync(path.resolve(values.file), 'utf8'), file: path.resolve(values.file), configDir };
  const text = configText(configDir, SLOS_FILE);
  if (!text) throw new Error(`there is no ${SLOS_FILE} in ${configDir} yet (the Config view offers the one Obsdeck ships; --file FILE reads another)`);
  return { text, file: path.join(configDir, SLOS_FILE), configDir };
}

async function list(values: Parsed['values']): Promise<number> {
  const { text, configDir } = slosText(values);
  const prometheusYml = configText(configDir, 'prometheus.yml');
  const { objectives, problems } = readObjectives(text);
  for (const p of problems) out(red(formatProblem(p)));
  const opened = await openStack().catch((err: unknown) => {
    if (err instanceof NoEngine) return undefined;
    throw err;
  });
  const running = opened && (await (await openTarget(opened.stack)).container('prometheus').catch(() => undefined));
  const base = running ? serviceBase(opened.stack.service('prometheus')) : undefined;
  const status = base ? await objectivesStatus(new PrometheusClient(base), objectives, scrapeIntervalOf(prometheusYml)) : undefined;
  if (values.json) {
    out(JSON.stringify({ objectives: status ?? objectives, problems }, null, 2));
    return problems.some((p) => p.severity === 'error') ? 1 : 0;
  }
  if (!status) out(dim('Prometheus is not running: the objectives as written (`obsdeck up` starts it).'));
  objectives.forEach((o, i) => {
    const s = status?.[i];
    out(`${o.name}  ${o.service}  ${pct(o.target)} over ${s?.window ?? `${o.windowMs / 86_400_000}d`}  ${o.sli.kind}: ${o.sli.events.text} / ${o.sli.total.text}`);
    if (!s) return;
    out(`  ${s.budgetRemaining !== undefined && s.budgetRemaining <= 0 ? red(s.sentence) : s.sentence}`);
    columns([
      ['', 'BURN', 'WINDOWS', 'NOW (LONG, SHORT)', 'ALERT AT', 'STATE', 'COST'],
      ...s.burns.map((b) => ['', b.severity, `${b.long} & ${b.short}`, `${times(b.burnLong)}, ${times(b.burnShort)}`, `${b.factor}×`, b.firing ? red('firing') : b.over ? yellow('over') : 'ok', dim(b.spend)]),
    ]);
  });
  return problems.some((p) => p.severity === 'error') ? 1 : 0;
}

async function check(values: Parsed['values']): Promise<number> {
  const { text, file, configDir } = slosText(values);
  let stack: Stack | undefined;
  try {
    stack = new Stack(await engine(), loadSpec().spec);
  } catch (err) {
    if (!(err instanceof NoEngine)) throw err;
  }
  // As Apply checks it: the objectives, then the generated rules and test by the stack's promtool.
  const { tools, why } = await toolsOf(stack);
  const problems = await draftProblems(configDir, { [SLOS_FILE]: text }, tools);
  for (const p of problems) out((p.severity === 'error' ? red : yellow)(p.file === SLOS_FILE ? `${file}${formatProblem(p).slice(p.file.length)}` : formatProblem(p)));
  if (why) process.stderr.write(`${yellow('note')}: ${why}\n`);
  const errors = problems.filter((p) => p.severity === 'error');
  if (!errors.length) out(green(`${file}: ${readObjectives(text).objectives.length} objectives; the rules generated from them are valid${why ? '' : ' (promtool agrees, and their generated test passes)'}`));
  return errors.length ? 1 : 0;
}

function generate(values: Parsed['values']): number {
  const { text, configDir } = slosText(values);
  const result = sloOutputs(text, configText(configDir, 'prometheus.yml'));
  const errors = result.problems.filter((p) => p.severity === 'error');
  for (const p of result.problems) process.stderr.write(`${(p.severity === 'error' ? red : yellow)(formatProblem(p))}\n`);
  if (errors.length) return 1;
  out((values.test ? result.files[SLO_TESTS_FILE] : result.files[SLO_RULES_FILE])!.trimEnd());
  return 0;
}

export const sloCommand: Command = {
  name: 'slo', section: 'Prometheus', args: 'list | check | generate',
  help: `the service level objectives of ${SLOS_FILE}\nlist: each objective, and when Prometheus runs its budget left, burn rates and time to exhaustion.\ncheck: ${SLOS_FILE} and the rules generated from it, as Apply checks them; exit 1 on a problem.\ngenerate: the rules file generated from it (${SLO_RULES_FILE}; --test: its promtool test) on standard output.`,
  options: {
    file: { type: 'string', value: 'SLOS_YML', help: `another ${SLOS_FILE} (default: the config directory's)` },
    test: { type: 'boolean', help: 'generate: print the generated promtool test instead' },
    json: { type: 'boolean', help: 'list: print JSON' },
  },
  run: async ({ positionals, values }) => {
    const [what] = positionals;
    if (positionals.length !== 1) throw new UsageError('slo takes: list, check or generate');
    if (what === 'list') return list(values);
    if (what === 'check') return check(values);
    if (what === 'generate') return generate(values);
    throw new UsageError(`slo takes list, check or generate, not "${what ?? ''}"`);
  },
};
