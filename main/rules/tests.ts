// The config directory's promtool rule tests (tests/*.yml), listed with their test cases and
// run with the stack's own promtool, as Validate runs its checks: each case passes, or fails with
// promtool's own words, at its file:line. A draft of the rules file can be tested before Apply.
import fs from 'node:fs';
import path from 'node:path';
import type Docker from 'dockerode';
import { isMap, isSeq } from 'yaml';
import type { RuleTestCase, RuleTestFile } from '../contract.js';
import { runTool } from '../engine/run-tool.js';
import { parseDuration, parseYamlAt, WorkbenchError } from './files.js';

export const TESTS_DIR = 'tests';
const TEST_FILE = /^[\w.-]{1,100}\.ya?ml$/;

/** The rule files a test may name, as the config directory holds them (slo_rules.yml when there is one). */
export function ruleFilesIn(configDir: string): Record<string, string> {
  return Object.fromEntries(['prometheus_rules.yml', 'slo_rules.yml'].filter((f) => fs.existsSync(path.join(configDir, f))).map((f) => [f, fs.readFileSync(path.join(configDir, f), 'utf8')]));
}

/** The test files of the config directory, by name. */
export function testFiles(configDir: string): string[] {
  const dir = path.join(configDir, TESTS_DIR);
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => TEST_FILE.test(f)).sort() : [];
}

const durationMs = (text: string) => {
  try {
    return parseDuration(text);
  } catch {
    return NaN;
  }
};

/** A test file's groups and cases with their lines (what promtool's report is matched to). */
export function readTestCases(text: string, file: string): RuleTestCase[] {
  const { doc, lines } = parseYamlAt(text, file);
  const tests = doc.get('tests');
  const cases: RuleTestCase[] = [];
  if (!isSeq(tests)) return cases;
  const field = (node: { get(k: string): unknown }, key: string, fallback = '') => {
    const v = node.get(key);
    return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : fallback;
  };
  for (const group of tests.items.filter(isMap)) {
    const name = field(group, 'name');
    for (const [key, kind] of [['alert_rule_test', 'alert'], ['promql_expr_test', 'expr']] as const) {
      const list = group.get(key);
      if (!isSeq(list)) continue;
      for (const c of list.items.filter(isMap)) {
        const what = field(c, kind === 'alert' ? 'alertname' : 'expr');
        const evalTime = field(c, 'eval_time', '0s');
        cases.push({ group: name, kind, what, evalTime, line: c.range ? lines.linePos(c.range[0]).line : 0, ok: true });
      }
    }
  }
  return cases;
}

interface Failure { group: string; kind: 'alert' | 'expr'; what: string; evalMs: number; words: string }

/** promtool's FAILED blocks: the group's name, the case (alertname or expr, and time), its words. */
export function failures(output: string): { cases: Failure[]; other: string[] } {
  const cases: Failure[] = [];
  const other: string[] = [];
  for (const block of output.split(/^\s*FAILED:\s*$/m).slice(1)) {
    const parts = block.split(/^(?=\s{4}name: )/m).map((p) => p.trimEnd()).filter((p) => p.trim());
    for (const part of parts) {
      const group = /^\s{4}name: (.*),$/m.exec(part)?.[1];
      const alert = /^\s{4}alertname: (.*), time: ([^,\s]+),?\s*$/m.exec(part);
      const expr = /^\s{4}expr: "((?:[^"\\]|\\.)*)", time: ([^,\s]+),?\s*$/m.exec(part);
      const hit = alert ?? expr;
      if (group === undefined || !hit) {
        other.push(part.trim());
        continue;
      }
      cases.push({ group, kind: alert ? 'alert' : 'expr', what: alert ? hit[1]! : JSON.parse(`"${hit[1]!}"`) as string, evalMs: durationMs(hit[2]!), words: part.split('\n').filter((l) => !/^\s{4}name: /.test(l)).map((l) => l.replace(/^ {4}/, '')).join('\n').trim() });
    }
  }
  return { cases, other };
}

/**
 * Runs promtool test rules on `file` of the config directory with the rules file (or `draft` of
 * it) beside it, as the test file's `rule_files` expect (`../prometheus_rules.yml`).
 */
export async function runRuleTests(docker: Docker, image: string, configDir: string, file: string, draft?: string): Promise<RuleTestFile> {
  if (!TEST_FILE.test(file) || !testFiles(configDir).includes(file)) throw new WorkbenchError(`no test file ${file} in ${path.join(configDir, TESTS_DIR)}`);
  const text = fs.readFileSync(path.join(configDir, TESTS_DIR, file), 'utf8');
  const rules = { ...ruleFilesIn(configDir), ...(draft !== undefined ? { 'prometheus_rules.yml': draft } : {}) };
  return runTestText(docker, image, `${TESTS_DIR}/${file}`, text, rules, draft !== undefined ? 'draft' : 'applied');
}

/**
 * promtool test rules on a test file's text (`shown`: its name under the config directory) beside
 * `rules`: the rules file's text, or every rule file by its name in the config directory
 * (prometheus_rules.yml, slo_rules.yml), as the test's `rule_files` name them.
 */
export async function runTestText(docker: Docker, image: string, shown: string, text: string, rules: string | Record<string, string>, which: RuleTestFile['rules']): Promise<RuleTestFile> {
  const cases = readTestCases(text, shown);
  const started = Date.now();
  const ruleFiles = typeof rules === 'string' ? { 'prometheus_rules.yml': rules } : rules;
  const files = { [`/check/${shown}`]: text, ...Object.fromEntries(Object.entries(ruleFiles).map(([name, t]) => [`/check/${name}`, t])) };
  const r = await runTool(docker, { image, entrypoint: '/bin/promtool', args: ['test', 'rules', `/check/${shown}`], files });
  const output = (r.stdout + r.stderr).replace(/\/check\//g, '');
  const found = failures(output);
  for (const f of found.cases) {
    const c = cases.find((x) => x.ok && x.group === f.group && x.kind === f.kind && x.what.trim() === f.what.trim() && durationMs(x.evalTime) === f.evalMs)
      ?? cases.find((x) => x.ok && x.group === f.group && x.kind === f.kind && x.what.trim() === f.what.trim());
    if (c) {
      c.ok = false;
      c.message = f.words;
    } else found.other.push(f.words);
  }
  // A failure that names no case (a rule file that does not load): the whole file fails with it.
  const ok = r.exitCode === 0;
  return { file: shown, ok, cases, ...(found.other.length || (!ok && cases.every((c) => c.ok)) ? { problems: found.other.length ? found.other : [output.trim()] } : {}), ms: Date.now() - started, rules: which };
}
