// Finds every PromQL expression in a Prometheus rule file or a Grafana dashboard, with where it
// came from (file, line and column, rule or panel), and checks each with the PromQL grammar.
import { LineCounter, parseDocument, isMap, isScalar, isSeq, type Scalar } from 'yaml';
import { checkPromql, expandGrafanaVariables } from './promql.js';

export interface Expression {
  file: string;
  /** Human words for where: `rule HighLatency (group poc3_security)`, `panel "Request rate" (A)`. */
  where: string;
  expr: string;
  /** 1-based position of the expression's first character in the file, where the format tells. */
  line?: number;
  column?: number;
  /** For a YAML block scalar: the indentation of its lines, which the expression's text omits. */
  blockIndent?: number;
  /** Panel and variable queries hold Grafana variables; `expr` keeps them as written. */
  grafana: boolean;
}

export interface Problem {
  file: string;
  line?: number;
  column?: number;
  severity: 'error' | 'warning';
  message: string;
}

/** Where the text of a YAML scalar starts: block scalars (`|`, `>`) start on the next line. */
function scalarStart(node: Scalar, text: string, lines: LineCounter): { line: number; column: number; blockIndent?: number } {
  const start = node.range?.[0] ?? 0;
  const pos = lines.linePos(start);
  if (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED') {
    const nextLine = text.slice(text.indexOf('\n', start) + 1);
    const indent = /^ */.exec(nextLine)?.[0].length ?? 0;
    return { line: pos.line + 1, column: indent + 1, blockIndent: indent };
  }
  const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE';
  return { line: pos.line, column: pos.col + (quoted ? 1 : 0) };
}

/** The `expr` of every rule in a Prometheus rule file. A file that is not YAML yields none. */
export function ruleExpressions(file: string, text: string): Expression[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  const groups = doc.get('groups');
  if (!isSeq(groups)) return [];
  const out: Expression[] = [];
  for (const group of groups.items) {
    if (!isMap(group)) continue;
    const groupName = group.get('name');
    const rules = group.get('rules');
    if (!isSeq(rules)) continue;
    for (const rule of rules.items) {
      if (!isMap(rule)) continue;
      const node = rule.get('expr', true);
      if (!isScalar(node) || typeof node.value !== 'string') continue;
      const name = rule.get('alert') ?? rule.get('record');
      const kind = rule.has('alert') ? 'alert' : 'rule';
      const label = (v: unknown) => (typeof v === 'string' ? v : '?');
      out.push({ file, where: `${kind} ${label(name)} (group ${label(groupName)})`, expr: node.value, ...scalarStart(node, text, lines), grafana: false });
    }
  }
  return out;
}

interface PanelJson { title?: string; targets?: { expr?: string; refId?: string }[]; panels?: PanelJson[] }
interface DashboardJson { title?: string; panels?: PanelJson[]; templating?: { list?: { name?: string; type?: string; query?: unknown }[] } }

/** Grafana's `label_values(selector, label)` and `query_result(expr)` wrap PromQL; the rest is not PromQL. */
function variablePromql(query: string): string | undefined {
  const labelValues = /^\s*label_values\(\s*(.+)\s*,\s*\w+\s*\)\s*$/s.exec(query);
  if (labelValues) return labelValues[1];
  const result = /^\s*query_result\(\s*(.+)\s*\)\s*$/s.exec(query);
  return result?.[1];
}

/** The query of every panel (rows' nested panels included) and variable of a Grafana dashboard. */
export function dashboardExpressions(file: string, text: string): Expression[] {
  const dashboard = JSON.parse(text) as DashboardJson;
  const out: Expression[] = [];
  const walk = (panels: PanelJson[] = []) => {
    for (const panel of panels) {
      for (const target of panel.targets ?? []) {
        if (typeof target.expr === 'string') {
          out.push({ file, where: `panel "${panel.title ?? '?'}" (query ${target.refId ?? '?'})`, expr: target.expr, grafana: true });
        }
      }
      walk(panel.panels);
    }
  };
  walk(dashboard.panels);
  for (const v of dashboard.templating?.list ?? []) {
    if (v.type !== 'query') continue;
    const q = typeof v.query === 'string' ? v.query : (v.query as { query?: string } | undefined)?.query;
    const expr = q === undefined ? undefined : variablePromql(q);
    if (expr !== undefined) out.push({ file, where: `variable $${v.name ?? '?'}`, expr, grafana: true });
  }
  return out;
}

/** What a query sent to Prometheus would be: Grafana variables replaced by harmless values. */
export const evaluable = (e: Expression): string => (e.grafana ? expandGrafanaVariables(e.expr) : e.expr);

/** A syntax error in any expression, as a problem naming the file, position and rule or panel. */
export function checkExpressions(expressions: Expression[]): Problem[] {
  const problems: Problem[] = [];
  for (const e of expressions) {
    const p = checkPromql(evaluable(e));
    if (!p) continue;
    const line = e.line === undefined ? undefined : e.line + p.line - 1;
    let column: number | undefined;
    if (e.blockIndent !== undefined) column = e.blockIndent + p.column;
    else if (e.column !== undefined) column = p.line === 1 ? e.column + p.column - 1 : p.column;
    problems.push({ file: e.file, line, column, severity: 'error', message: `${e.where}: PromQL ${p.message}` });
  }
  return problems;
}

export function formatProblem(p: Problem): string {
  const at = p.line === undefined ? p.file : `${p.file}:${p.line}:${p.column ?? 1}`;
  return `${at}: ${p.severity}: ${p.message}`;
}
