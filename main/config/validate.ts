// Validation of the user's configs: instant in-process checks (YAML syntax and shape with
// line:column, the PromQL of every rule) and then the real tools of the images that will run
// them (promtool check config / check rules, amtool check-config) in throwaway containers.
import fs from 'node:fs';
import path from 'node:path';
import type Docker from 'dockerode';
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Document, type Node } from 'yaml';
import { runTool } from '../engine/run-tool.js';
import { runTestText } from '../rules/tests.js';
import { checkExpressions, ruleExpressions, type Problem } from './expressions.js';
import { kindOf, readSet } from './manifest.js';
import { sloOutputs } from '../slo/files.js';

export type { Problem } from './expressions.js';

interface Parsed { doc: Document; lines: LineCounter; problems: Problem[] }

function parseYaml(file: string, text: string): Parsed {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const problems: Problem[] = doc.errors.map((e) => {
    const pos = lines.linePos(e.pos[0]);
    return { file, line: pos.line, column: pos.col, severity: 'error' as const, message: `YAML: ${e.message.split('\n')[0]}` };
  });
  return { doc, lines, problems };
}

function at(file: string, lines: LineCounter, node: Node | null | undefined, severity: Problem['severity'], message: string): Problem {
  const pos = node?.range ? lines.linePos(node.range[0]) : undefined;
  return { file, ...(pos ? { line: pos.line, column: pos.col } : {}), severity, message };
}

/** Top-level keys each file may have (both Prometheus 2.42 and 3.x, Alertmanager 0.25 to 0.28). */
const PROMETHEUS_KEYS = ['global', 'runtime', 'rule_files', 'scrape_config_files', 'scrape_configs', 'alerting', 'remote_write', 'remote_read', 'storage', 'tracing', 'otlp'];
const ALERTMANAGER_KEYS = ['global', 'route', 'receivers', 'inhibit_rules', 'templates', 'time_intervals', 'mute_time_intervals'];

function unknownKeys(file: string, p: Parsed, allowed: string[], what: string): Problem[] {
  const root = p.doc.contents;
  if (!isMap(root)) return root ? [at(file, p.lines, root, 'error', `${what} must be a mapping of settings`)] : [];
  return root.items.flatMap((item) => {
    const key = isScalar(item.key) ? String(item.key.value) : '';
    return allowed.includes(key) ? [] : [at(file, p.lines, item.key as Node, 'error', `unknown setting "${key}" (${what} has ${allowed.join(', ')})`)];
  });
}

/** `alsoThere`: rule files that will sit beside prometheus.yml though not on disk yet (a change's drafts). */
export function checkPrometheusYml(file: string, text: string, configDir?: string, alsoThere: readonly string[] = []): Problem[] {
  const p = parseYaml(file, text);
  if (p.problems.length) return p.problems;
  const problems = unknownKeys(file, p, PROMETHEUS_KEYS, 'prometheus.yml');
  const jobs = p.doc.get('scrape_configs', true);
  const seen = new Set<string>();
  if (isSeq(jobs)) {
    for (const job of jobs.items) {
      if (!isMap(job)) continue;
      const name = job.get('job_name', true);
      if (!isScalar(name)) problems.push(at(file, p.lines, job, 'error', 'a scrape config needs a job_name'));
      else if (seen.has(String(name.value))) problems.push(at(file, p.lines, name, 'error', `job_name "${String(name.value)}" is used twice`));
      else seen.add(String(name.value));
    }
  }
  // Prometheus and Alertmanager take only the stack's user (config/stack-auth.ts): a config
  // copied before that (or edited) whose self-scrape, Alertmanager scrape or alerting has no
  // basic_auth gets 401s. Said as a warning, at the job.
  if (isSeq(jobs)) {
    for (const job of jobs.items) {
      if (!isMap(job)) continue;
      const targets = JSON.stringify(job.toJSON());
      if (/localhost:9090|alertmanager:9093/.test(targets) && !job.has('basic_auth')) {
        problems.push(at(file, p.lines, job, 'warning', `job "${String(job.get('job_name'))}" scrapes a service that takes the stack's user: add basic_auth (username obsdeck, password_file /etc/prometheus/auth/password) as the shipped prometheus.yml does`));
      }
    }
  }
  const ams = p.doc.getIn(['alerting', 'alertmanagers'], true);
  if (isSeq(ams)) {
    for (const am of ams.items) {
      if (isMap(am) && !am.has('basic_auth')) problems.push(at(file, p.lines, am, 'warning', 'Alertmanager takes the stack\'s user: add basic_auth (username obsdeck, password_file /etc/prometheus/auth/password) as the shipped prometheus.yml does'));
    }
  }
  const ruleFiles = p.doc.get('rule_files', true);
  if (configDir && isSeq(ruleFiles)) {
    for (const f of ruleFiles.items) {
      if (isScalar(f) && typeof f.value === 'string' && !/[*?[]/.test(f.value) && !alsoThere.includes(f.value.replace(/^\.\//, '')) && !fs.existsSync(path.resolve(configDir, f.value))) {
        problems.push(at(file, p.lines, f, 'error', `rule file "${f.value}" does not exist next to prometheus.yml`));
      }
    }
  }
  return problems;
}

export function checkRulesYml(file: string, text: string): Problem[] {
  const p = parseYaml(file, text);
  if (p.problems.length) return p.problems;
  const problems: Problem[] = [];
  const groups = p.doc.get('groups', true);
  if (!isSeq(groups)) return [at(file, p.lines, p.doc.contents, 'error', 'a rule file needs a list of groups')];
  const names = new Set<string>();
  for (const g of groups.items) {
    if (!isMap(g)) continue;
    const name = g.get('name', true);
    if (!isScalar(name)) problems.push(at(file, p.lines, g, 'error', 'a rule group needs a name'));
    else if (names.has(String(name.value))) problems.push(at(file, p.lines, name, 'error', `group name "${String(name.value)}" is used twice`));
    else names.add(String(name.value));
    const rules = g.get('rules', true);
    if (!isSeq(rules)) continue;
    for (const r of rules.items) {
      if (!isMap(r)) continue;
      if (r.has('alert') === r.has('record')) problems.push(at(file, p.lines, r, 'error', 'a rule needs exactly one of alert or record'));
      if (!r.has('expr')) problems.push(at(file, p.lines, r, 'error', 'a rule needs an expr'));
    }
  }
  return [...problems, ...checkExpressions(ruleExpressions(file, text))];
}

export function checkAlertmanagerYml(file: string, text: string): Problem[] {
  const p = parseYaml(file, text);
  if (p.problems.length) return p.problems;
  const problems = unknownKeys(file, p, ALERTMANAGER_KEYS, 'alertmanager.yml');
  const receivers = p.doc.get('receivers', true);
  const names = new Set<string>();
  if (isSeq(receivers)) for (const r of receivers.items) if (isMap(r)) names.add(String(r.get('name')));
  const check = (route: unknown) => {
    if (!isMap(route)) return;
    const receiver = route.get('receiver', true);
    if (isScalar(receiver) && !names.has(String(receiver.value))) {
      problems.push(at(file, p.lines, receiver, 'error', `receiver "${String(receiver.value)}" is not defined under receivers`));
    }
    const routes = route.get('routes', true);
    if (isSeq(routes)) routes.items.forEach(check);
  };
  check(p.doc.get('route', true));
  return problems;
}

/** Reads a tool's complaint and finds the file and line it names (`line 12:`, `file.yml: 12:3:`). */
export function toolProblems(output: string, files: Record<string, string>, fallback: string): Problem[] {
  const problems: Problem[] = [];
  const lines = output.split('\n')
    .map((l) => l.trim().replace(/^Checking '?[^ ']+'?\s*/, '').replace(/^FAILED:\s*/, ''))
    .filter((l) => l && !/^(SUCCESS|FAILED)\b|unmarshal errors:$|^amtool: error: failed to validate|^\d+ rules? found$/.test(l));
  for (const l of lines) {
    const file = Object.keys(files).find((f) => l.includes(f)) ?? fallback;
    const esc = file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const pos = new RegExp(`${esc}:? ?(\\d+):(\\d+)`).exec(l) ?? /\bline (\d+)(?::(\d+))?/.exec(l);
    const message = l.replace(/\/check\//g, '');
    problems.push({ file: files[file] ?? file, ...(pos ? { line: Number(pos[1]), column: pos[2] ? Number(pos[2]) : 1 } : {}), severity: 'error', message });
  }
  return problems;
}

export interface ToolImages { prometheus: string; alertmanager: string }

/**
 * The credential files the stack's Prometheus reads (compose mounts them from auth/). promtool
 * check config stats an `authorization: credentials_file` (not a basic_auth password_file), so
 * the check's container holds them too, with a placeholder: the check reads no secret.
 */
export const PROMETHEUS_CREDENTIAL_FILES = ['/etc/prometheus/auth/password', '/etc/prometheus/auth/vitals-token'];
const credentialPlaceholders = () => Object.fromEntries(PROMETHEUS_CREDENTIAL_FILES.map((f) => [f, 'placeholder']));

/** promtool and amtool of the stack's own images, on the engine, over the given texts. */
export async function checkWithTools(docker: Docker, images: ToolImages, texts: Record<'prometheus.yml' | 'prometheus_rules.yml' | 'alertmanager.yml', string>, ruleFiles: Record<string, string> = {}): Promise<Problem[]> {
  const all = { ...ruleFiles, ...texts };
  const files = Object.fromEntries(Object.entries(all).map(([name, text]) => [`/check/${name}`, text]));
  const names = Object.fromEntries(Object.keys(all).map((n) => [`/check/${n}`, n]));
  const [config, rules, am] = await Promise.all([
    runTool(docker, { image: images.prometheus, entrypoint: '/bin/promtool', args: ['check', 'config', '/check/prometheus.yml'], files: { ...files, ...credentialPlaceholders() } }),
    runTool(docker, { image: images.prometheus, entrypoint: '/bin/promtool', args: ['check', 'rules', '/check/prometheus_rules.yml'], files }),
    runTool(docker, { image: images.alertmanager, entrypoint: '/bin/amtool', args: ['check-config', '/check/alertmanager.yml'], files }),
  ]);
  const problems: Problem[] = [];
  if (rules.exitCode !== 0) problems.push(...toolProblems(rules.stdout + rules.stderr, names, '/check/prometheus_rules.yml').map((p) => ({ ...p, message: `promtool check rules: ${p.message}` })));
  if (config.exitCode !== 0) {
    // check config re-reads the rule file; its complaints about it are the ones above.
    const own = toolProblems(config.stdout + config.stderr, names, '/check/prometheus.yml').filter((p) => p.file !== 'prometheus_rules.yml' || rules.exitCode === 0);
    problems.push(...own.map((p) => ({ ...p, message: `promtool check config: ${p.message}` })));
  }
  if (am.exitCode !== 0) problems.push(...toolProblems(am.stdout + am.stderr, names, '/check/alertmanager.yml').map((p) => ({ ...p, message: `amtool check-config: ${p.message}` })));
  return problems;
}

const RULE_TEST_KEYS = ['rule_files', 'evaluation_interval', 'group_eval_order', 'tests'];

/**
 * A rules file with an error: its problem is said at its line, so the rule tests are not run
 * against it (promtool would only repeat it for every test file).
 */
export const rulesBroken = (problems: Problem[]) => problems.some((p) => p.severity === 'error' && (p.file === 'prometheus_rules.yml' || p.file === 'slo_rules.yml'));

/** A promtool rule test file's shape (tests/NAME.yml): YAML, its settings, a list of tests. */
export function checkRuleTestYml(file: string, text: string): Problem[] {
  const p = parseYaml(file, text);
  if (p.problems.length) return p.problems;
  const problems = unknownKeys(file, p, RULE_TEST_KEYS, 'a promtool test file');
  if (problems.length) return problems;
  if (!isSeq(p.doc.get('tests', true))) problems.push(at(file, p.lines, p.doc.contents, 'error', 'no "tests:" list: promtool runs the cases listed under it'));
  return problems;
}

/**
 * Rule test files (path → text) checked in-process, then run by the stack's promtool against
 * `rules` (the rules file they will run beside). A case that fails is a warning at its line (a
 * test may be written before the rule it expects); a file promtool cannot run is an error.
 */
export async function validateRuleTests(tests: Record<string, string>, rules: string | Record<string, string>, tools?: { docker: Docker; images: ToolImages }): Promise<Problem[]> {
  const problems: Problem[] = [];
  for (const [file, text] of Object.entries(tests)) {
    const own = checkRuleTestYml(file, text);
    problems.push(...own);
    if (own.length || !tools) continue;
    const run = await runTestText(tools.docker, tools.images.prometheus, file, text, rules, 'applied');
    for (const c of run.cases.filter((x) => !x.ok)) problems.push({ file, line: c.line, column: 1, severity: 'warning', message: `promtool test rules: ${c.kind === 'alert' ? c.what : 'expression'} at ${c.evalTime} fails against the rules: ${(c.message ?? '').split('\n')[0]}` });
    for (const words of run.problems ?? []) problems.push({ file, severity: 'error', message: `promtool test rules: ${words.split('\n').filter(Boolean).slice(0, 3).join(' ')}` });
  }
  return problems;
}

/** Every problem of the configs in `configDir`: in-process first; the tools when there is an engine. */
export async function validateConfigs(configDir: string, tools?: { docker: Docker; images: ToolImages }): Promise<Problem[]> {
  const set = readSet(configDir);
  const read = (f: 'prometheus.yml' | 'prometheus_rules.yml' | 'alertmanager.yml') => set[f] ?? fs.readFileSync(path.join(configDir, f), 'utf8');
  const generated: Record<string, string> = set['slo_rules.yml'] !== undefined ? { 'slo_rules.yml': set['slo_rules.yml'] } : {};
  const core = await validateTexts({ 'prometheus.yml': read('prometheus.yml'), 'prometheus_rules.yml': read('prometheus_rules.yml'), 'alertmanager.yml': read('alertmanager.yml') }, configDir, tools, generated);
  const slos = set['slos.yml'] !== undefined ? sloOutputs(set['slos.yml'], read('prometheus.yml')).problems : [];
  const tests = Object.fromEntries(Object.entries(set).filter(([f]) => kindOf(f) === 'rule-test'));
  return [...core, ...slos, ...await validateRuleTests(tests, { 'prometheus_rules.yml': read('prometheus_rules.yml'), ...generated }, rulesBroken(core) ? undefined : tools)];
}

/**
 * Every problem of the three config texts (a draft, or the files as they are), checked in
 * memory; `configDir` is where relative rule files are looked up.
 */
export async function validateTexts(texts: Record<'prometheus.yml' | 'prometheus_rules.yml' | 'alertmanager.yml', string>, configDir: string, tools?: { docker: Docker; images: ToolImages }, ruleFiles: Record<string, string> = {}): Promise<Problem[]> {
  const problems = [
    ...checkPrometheusYml('prometheus.yml', texts['prometheus.yml'], configDir, Object.keys(ruleFiles)),
    ...checkRulesYml('prometheus_rules.yml', texts['prometheus_rules.yml']),
    ...checkAlertmanagerYml('alertmanager.yml', texts['alertmanager.yml']),
  ];
  if (tools) {
    const fromTools = await checkWithTools(tools.docker, tools.images, texts, ruleFiles);
    // What was found in-process is reported once, with its position, not again by a tool: a
    // file that is not YAML at all, or a rule whose expression does not parse.
    const notYaml = new Set(problems.filter((p) => p.message.startsWith('YAML:')).map((p) => p.file));
    const seen = new Set(problems.map((p) => `${p.file}:${p.line ?? ''}`));
    const ruleRows = new Set(problems.filter((p) => p.message.includes('PromQL')).map((p) => `${p.file}:${p.line ?? ''}`));
    problems.push(...fromTools.filter((p) => !notYaml.has(p.file) && !seen.has(`${p.file}:${p.line ?? ''}`) && !(p.message.includes('could not parse expression') && [...ruleRows].some((r) => r.startsWith(`${p.file}:`)))));
  }
  return problems;
}
