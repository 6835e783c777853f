// PromQL syntax check with the Prometheus team's own grammar (@prometheus-io/lezer-promql, the
// parser behind the Prometheus UI's editor). It runs in-process and instantly; it knows syntax,
// not metric names or types, which promtool and a running Prometheus check later.
import { parser } from '@prometheus-io/lezer-promql';

export interface PromqlProblem {
  /** 1-based line and column inside the expression. */
  line: number;
  column: number;
  message: string;
}

function position(expr: string, offset: number): { line: number; column: number } {
  const before = expr.slice(0, offset).split('\n');
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}

/** The first syntax error of `expr`, or undefined when it parses. */
export function checkPromql(expr: string): PromqlProblem | undefined {
  if (expr.trim() === '') return { line: 1, column: 1, message: 'empty expression' };
  let at: number | undefined;
  parser.parse(expr).iterate({
    enter(node) {
      if (at !== undefined) return false;
      if (node.type.isError) at = node.from;
      return undefined;
    },
  });
  if (at === undefined) return undefined;
  const rest = expr.slice(at).trimStart();
  const token = /^(\w+|"[^"]*"|\S)/.exec(rest)?.[0];
  // At the end, point just past the last character written, not at trailing blank lines.
  if (token === undefined) return { ...position(expr, expr.trimEnd().length), message: 'unexpected end of expression' };
  return { ...position(expr, at + (expr.slice(at).length - rest.length)), message: `unexpected ${JSON.stringify(token)}` };
}

/**
 * Grafana's template variables in a panel query replaced by values that keep the query valid
 * PromQL: `$__rate_interval` and friends by a duration, any other `$var`, `${var}`, `${var:fmt}`
 * or `[[var]]` by a regex that matches everything (variables sit inside `=~"..."` matchers).
 */
export function expandGrafanaVariables(expr: string, interval = '1m'): string {
  return expr
    .replace(/\$__(rate_interval|interval|range)\b|\$\{__(rate_interval|interval|range)\}/g, interval)
    .replace(/\$__(interval_ms|range_ms)\b/g, '60000')
    .replace(/\$__range_s\b/g, '60')
    .replace(/\$\{\w+(?::\w+)?\}|\$\w+|\[\[\w+\]\]/g, '.*');
}
