// A Prometheus rule file read as the backtest and the rule tests need it: groups with their
// interval, rules with their kind, expression, `for`, `keep_firing_for`, labels and line, and
// Prometheus' duration notation. Validation proper stays with config/validate.ts and promtool:
// this reads what parses and says where it cannot.
import { isMap, isSeq, LineCounter, parse as parseYaml, parseDocument, type Document } from 'yaml';

/** A request the workbench cannot answer as asked: no such rule, a file that does not read, a bad window. */
export class WorkbenchError extends Error {}

export interface RuleDef {
  kind: 'alert' | 'record';
  name: string;
  expr: string;
  forMs: number;
  keepFiringForMs: number;
  labels: Record<string, string>;
  /** 1-based line of the rule's first key in the file, and the range of its text. */
  line: number;
  range: [number, number];
}

export interface RuleGroupDef {
  name: string;
  /** Absent: the global evaluation_interval applies. */
  intervalMs?: number;
  rules: RuleDef[];
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, y: 31_536_000_000 };

/** Prometheus' duration notation (`1h30m`, `90s`, `500ms`) in milliseconds; throws on anything else. */
export function parseDuration(text: string): number {
  const s = text.trim();
  if (s === '0') return 0;
  const re = /(\d+)(ms|[smhdwy])/gy;
  let total = 0;
  let m: RegExpExecArray | null;
  let at = 0;
  while ((m = re.exec(s))) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    at = re.lastIndex;
  }
  if (!s || at !== s.length) throw new WorkbenchError(`"${text}" is not a duration (such as 30s, 5m, 1h30m)`);
  return total;
}

/**
 * One of prometheus.yml's global intervals (scrape_interval, evaluation_interval), in ms:
 * Prometheus' default, 1m, when it sets none or does not parse.
 */
export function globalInterval(prometheusYml: string, key: 'scrape_interval' | 'evaluation_interval'): number {
  try {
    const doc = parseYaml(prometheusYml) as { global?: Record<string, unknown> } | null;
    const value = doc?.global?.[key];
    return typeof value === 'string' ? parseDuration(value) : 60_000;
  } catch {
    return 60_000;
  }
}

/** A duration in Prometheus' notation, the largest units first (90000 → 1m30s). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000], ['ms', 1]] as const) {
    if (rest >= size) {
      out += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  return out;
}

/** A YAML text with the line counter its positions need; the first syntax error as `file:line:col: why`. */
export function parseYamlAt(text: string, file: string): { doc: Document.Parsed; lines: LineCounter } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    const at = lines.linePos(e.pos[0]);
    throw new WorkbenchError(`${file}:${at.line}:${at.col}: ${e.message.split('\n')[0]}`);
  }
  return { doc, lines };
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

/** The groups of a rule file's text; throws naming the line where the shape is not a rule file. */
export function readRuleFile(text: string, file = 'prometheus_rules.yml'): RuleGroupDef[] {
  const { doc, lines } = parseYamlAt(text, file);
  const groups = doc.get('groups');
  if (!isSeq(groups)) throw new WorkbenchError(`${file}: no "groups:" list`);
  return groups.items.filter(isMap).map((g) => {
    const interval = str(g.get('interval'));
    const rules = g.get('rules');
    return {
      name: str(g.get('name')) ?? '',
      ...(interval ? { intervalMs: parseDuration(interval) } : {}),
      rules: isSeq(rules) ? rules.items.filter(isMap).flatMap((r): RuleDef[] => {
        const alert = str(r.get('alert'));
        const record = str(r.get('record'));
        const expr = str(r.get('expr'));
        if ((!alert && !record) || expr === undefined) return [];
        const labelsNode = r.get('labels');
        const labels: Record<string, string> = {};
        if (isMap(labelsNode)) {
          for (const [k, v] of Object.entries(labelsNode.toJSON() as Record<string, unknown>)) labels[k] = str(v) ?? '';
        }
        const start = r.range?.[0] ?? 0;
        return [{
          kind: alert ? 'alert' : 'record',
          name: (alert ?? record)!,
          expr: expr.trim(),
          forMs: parseDuration(str(r.get('for')) ?? '0'),
          keepFiringForMs: parseDuration(str(r.get('keep_firing_for')) ?? '0'),
          labels,
          line: lines.linePos(start).line,
          range: [start, r.range?.[1] ?? start],
        }];
      }) : [],
    };
  });
}

/** The rule `name` (the first of that name, or the one in `group`), with its group; undefined when there is none. */
export function findRule(groups: RuleGroupDef[], name: string, group?: string): { group: RuleGroupDef; rule: RuleDef } | undefined {
  for (const g of groups) {
    if (group !== undefined && g.name !== group) continue;
    const rule = g.rules.find((r) => r.name === name);
    if (rule) return { group: g, rule };
  }
  return undefined;
}

/** The rule whose text holds the character at `offset` (the editor's cursor). */
export function ruleAt(groups: RuleGroupDef[], offset: number): { group: RuleGroupDef; rule: RuleDef } | undefined {
  for (const g of groups) for (const rule of g.rules) if (offset >= rule.range[0] && offset <= rule.range[1]) return { group: g, rule };
  return undefined;
}

/**
 * A point in time as the CLI takes it: `now`, a duration back from `now` (`6h`, `-6h`, `90m`),
 * an RFC 3339 date, or Unix seconds. Milliseconds since the epoch.
 */
export function parseWhen(text: string, now = Date.now()): number {
  const s = text.trim();
  if (s === 'now') return now;
  if (/^-?(\d+(ms|[smhdwy]))+$/.test(s)) return now - parseDuration(s.replace(/^-/, ''));
  if (/^\d{9,11}(\.\d+)?$/.test(s)) return Math.round(Number(s) * 1000);
  const t = Date.parse(s);
  if (/^\d{4}-\d{2}-\d{2}/.test(s) && Number.isFinite(t)) return t;
  throw new WorkbenchError(`"${text}" is not a time: use now, a duration back (6h, 30m), an RFC 3339 date or Unix seconds`);
}
