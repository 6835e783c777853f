// slos.yml: the service level objectives of the stack, as a user writes them. Each objective has
// its SLI as a ratio of two counters (bad/total, or good/total, each a plain series selector the
// generator wraps in rate() over each window), a target (a percentage), and a window. Problems
// are reported at their file:line:col, like every config file's.
import { parser } from '@prometheus-io/lezer-promql';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type YAMLMap } from 'yaml';
import type { ConfigProblem as Problem } from '../contract.js';
import { parseDuration } from '../rules/files.js';

export const SLOS_FILE = 'slos.yml';
/** The SRE Workbook's window, which the burn rates below are defined for. */
export const WORKBOOK_WINDOW_MS = 30 * 86_400_000;

export type MatchOp = '=' | '!=' | '=~' | '!~';
export interface Matcher { name: string; op: MatchOp; value: string }
export interface Selector { text: string; metric: string; matchers: Matcher[] }

export interface BurnRate {
  longMs: number;
  shortMs: number;
  /** How many times faster than "exactly used up at the window's end" the budget burns. */
  factor: number;
  severity: 'page' | 'ticket';
}

export interface Objective {
  name: string;
  service: string;
  description: string;
  /** A fraction: 99.5 % is 0.995. */
  target: number;
  windowMs: number;
  /** `bad`: events are failures; `good`: events are successes. Both against `total`. */
  sli: { kind: 'bad' | 'good'; events: Selector; total: Selector };
  /** Given in the file (`burn_rates:`), else the SRE Workbook's scaled to the window. */
  burnRates?: BurnRate[];
  line: number;
  /** Where its target is written (what a burn rate that could never fire is reported at). */
  targetAt: { line: number; column: number };
}

const NAME = /^[a-z][a-z0-9-]{0,62}$/;
const KEYS = ['name', 'service', 'description', 'target', 'window', 'sli', 'burn_rates'];

/** A plain series selector (`metric{label="value", …}`), parsed by the Prometheus team's grammar; anything else is refused. */
export function parseSelector(text: string): Selector | string {
  const tree = parser.parse(text);
  const top = tree.topNode.firstChild;
  let error: number | undefined;
  tree.iterate({ enter: (n) => (n.type.isError && error === undefined ? ((error = n.from), false) : undefined) });
  if (error !== undefined) return `not a valid selector at character ${error + 1}`;
  if (!top || top.type.name !== 'VectorSelector' || top.from !== 0 || top.to !== text.length) return 'must be a plain series selector such as http_requests_total{job="poc3-security"} (the generator applies rate() over each window)';
  const metric = top.getChild('Identifier');
  if (!metric) return 'must name its metric before the braces';
  const matchers: Matcher[] = [];
  for (const m of top.getChild('LabelMatchers')?.getChildren('UnquotedLabelMatcher') ?? []) {
    const name = m.getChild('LabelName');
    const op = m.getChild('MatchOp');
    const value = m.getChild('StringLiteral');
    if (!name || !op || !value) return 'has a label matcher it cannot read';
    const raw = text.slice(value.from, value.to);
    matchers.push({ name: text.slice(name.from, name.to), op: text.slice(op.from, op.to) as MatchOp, value: raw.startsWith('`') ? raw.slice(1, -1) : JSON.parse(raw.startsWith("'") ? `"${raw.slice(1, -1).replace(/"/g, '\\"')}"` : raw) as string });
  }
  return { text, metric: text.slice(metric.from, metric.to), matchers };
}

/** The objectives of a slos.yml text, and every problem at its line and column. */
export function readObjectives(text: string, file = SLOS_FILE): { objectives: Objective[]; problems: Problem[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const problems: Problem[] = [];
  const at = (node: Node | null | undefined, message: string, severity: Problem['severity'] = 'error') => {
    const pos = node?.range ? lines.linePos(node.range[0]) : undefined;
    problems.push({ file, ...(pos ? { line: pos.line, column: pos.col } : {}), severity, message });
  };
  if (doc.errors.length) {
    for (const e of doc.errors) {
      const pos = lines.linePos(e.pos[0]);
      problems.push({ file, line: pos.line, column: pos.col, severity: 'error', message: `YAML: ${e.message.split('\n')[0]}` });
    }
    return { objectives: [], problems };
  }
  const list = doc.get('objectives', true);
  if (!isSeq(list)) {
    at(doc.contents, 'no "objectives:" list');
    return { objectives: [], problems };
  }
  const objectives: Objective[] = [];
  const names = new Set<string>();
  for (const item of list.items) {
    if (!isMap(item)) {
      at(item as Node, 'an objective is a mapping (name, service, target, window, sli)');
      continue;
    }
    const o = readOne(item, at, lines);
    if (!o) continue;
    if (names.has(o.name)) at(item.get('name', true), `objective "${o.name}" is named twice`);
    names.add(o.name);
    objectives.push(o);
  }
  return { objectives, problems };
}

type At = (node: Node | null | undefined, message: string, severity?: Problem['severity']) => void;

function readOne(item: YAMLMap, at: At, lines: LineCounter): Objective | undefined {
  const before = { n: 0 };
  const fail = (node: unknown, message: string) => {
    before.n++;
    at(node as Node, message);
  };
  for (const pair of item.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    if (!KEYS.includes(key)) fail(pair.key, `unknown setting "${key}" (an objective has ${KEYS.join(', ')})`);
  }
  const node = (key: string) => item.get(key, true) as Node | undefined;
  const scalar = (key: string) => {
    const n = node(key);
    return isScalar(n) ? n.value : undefined;
  };
  const name = scalar('name');
  if (typeof name !== 'string' || !NAME.test(name)) fail(node('name') ?? item, 'name: lower-case letters, digits and -, starting with a letter (it becomes the slo label)');
  const service = scalar('service');
  if (typeof service !== 'string' || !service) fail(node('service') ?? item, 'service: the stack service the objective is about');
  const target = scalar('target');
  if (typeof target !== 'number' || !(target > 0 && target < 100)) fail(node('target') ?? item, 'target: a percentage above 0 and below 100, such as 99.5');
  const given = scalar('window');
  const windowText = given === undefined ? '30d' : typeof given === 'string' ? given : JSON.stringify(given);
  let windowMs = NaN;
  try {
    windowMs = parseDuration(windowText);
  } catch {
    fail(node('window'), `window: ${windowText} is not a duration (30d, 7d, 1h)`);
  }
  if (windowMs < 3_600_000) fail(node('window'), 'window: at least 1h (its burn-rate windows are scaled from 30 days)');
  const sli = node('sli');
  let read: Objective['sli'] | undefined;
  if (!isMap(sli)) fail(sli ?? item, 'sli: the events and total counters, as bad: and total:, or good: and total:');
  else {
    const kinds = (['bad', 'good'] as const).filter((k) => sli.has(k));
    const total = sli.get('total', true) as Node | undefined;
    if (kinds.length !== 1) fail(sli, 'sli: give exactly one of bad: and good:, with total:');
    else if (!isScalar(total) || typeof total.value !== 'string') fail(total ?? sli, 'sli.total: the counter of all events, a series selector');
    else {
      const kind = kinds[0]!;
      const eventsNode = sli.get(kind, true) as Node;
      const events = isScalar(eventsNode) && typeof eventsNode.value === 'string' ? parseSelector(eventsNode.value.trim()) : 'a series selector';
      const all = parseSelector(total.value.trim());
      if (typeof events === 'string') fail(eventsNode, `sli.${kind}: ${events}`);
      if (typeof all === 'string') fail(total, `sli.total: ${all}`);
      if (typeof events !== 'string' && typeof all !== 'string') read = { kind, events, total: all };
    }
  }
  const burnRates = readBurnRates(node('burn_rates'), fail);
  if (before.n) return undefined;
  const line = item.range ? lines.linePos(item.range[0]).line : 0;
  const targetNode = node('target');
  const targetAt = targetNode?.range ? lines.linePos(targetNode.range[0]) : { line, col: 1 };
  const description = scalar('description');
  return {
    name: name as string, service: service as string, description: typeof description === 'string' ? description : '',
    target: (target as number) / 100, windowMs, sli: read!, ...(burnRates ? { burnRates } : {}), line, targetAt: { line: targetAt.line, column: targetAt.col },
  };
}

function readBurnRates(n: Node | undefined, fail: (node: unknown, message: string) => void): BurnRate[] | undefined {
  if (n === undefined) return undefined;
  if (!isSeq(n)) {
    fail(n, 'burn_rates: a list of { long, short, factor, severity }');
    return undefined;
  }
  const out: BurnRate[] = [];
  for (const r of n.items) {
    if (!isMap(r)) {
      fail(r, 'a burn rate is { long: 1h, short: 5m, factor: 14.4, severity: page }');
      continue;
    }
    try {
      const long = parseDuration(String(r.get('long')));
      const short = parseDuration(String(r.get('short')));
      const factor = r.get('factor');
      const severity = r.get('severity');
      if (typeof factor !== 'number' || !(factor > 0)) throw new Error('factor must be a number above 0');
      if (severity !== 'page' && severity !== 'ticket') throw new Error('severity must be page or ticket');
      if (short >= long) throw new Error('the short window must be shorter than the long one');
      out.push({ longMs: long, shortMs: short, factor, severity });
    } catch (err) {
      fail(r, `burn rate: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return out;
}
