// Edits of a rule's PromQL that a backtest needs, made on the Prometheus team's own grammar
// (@prometheus-io/lezer-promql): the expression split at its final comparison (the graph shows
// the left side against the threshold), and a draft's changed recording rules put in place of
// the series they would write (`rec` → `(expr)`, `rec[5m]` → `(expr)[5m:interval]`).
import { parser } from '@prometheus-io/lezer-promql';
import type { SyntaxNode } from '@lezer/common';

const COMPARE: Record<string, string> = { Gtr: '>', Lss: '<', Gte: '>=', Lte: '<=', Eql: '==', Neq: '!=' };

/** `X > 0.05` → { left: 'X', op: '>', value: 0.05 }; undefined when the top is not a comparison with a number. */
export function splitThreshold(expr: string): { left: string; op: string; value: number } | undefined {
  const top = parser.parse(expr).topNode.firstChild;
  if (top?.name !== 'BinaryExpr') return undefined;
  const left = top.firstChild;
  const op = left?.nextSibling;
  let right = op?.nextSibling;
  while (right && (right.name === 'BoolModifier' || right.name === 'OnOrIgnoring')) right = right.nextSibling;
  if (!left || !op || !right || !(op.name in COMPARE) || right.name !== 'NumberDurationLiteral') return undefined;
  const value = Number(expr.slice(right.from, right.to));
  if (!Number.isFinite(value)) return undefined;
  return { left: expr.slice(left.from, left.to), op: COMPARE[op.name]!, value };
}

/** The metric names an expression selects (its vector selectors' names). */
export function selectedNames(expr: string): string[] {
  const names = new Set<string>();
  parser.parse(expr).iterate({
    enter(n) {
      if (n.name === 'VectorSelector') {
        const id = n.node.getChild('Identifier');
        if (id) names.add(expr.slice(id.from, id.to));
      }
    },
  });
  return [...names];
}

interface Replacement { from: number; to: number; text: string }

function selectorName(expr: string, n: SyntaxNode): string | undefined {
  const id = n.getChild('Identifier');
  return id ? expr.slice(id.from, id.to) : undefined;
}

/**
 * `expr` with each selector of a name in `recorded` replaced by that rule's expression, repeated
 * so a changed rule that reads another is followed (at most 10 deep). Selectors with matchers
 * or an offset cannot be replaced faithfully: they are left reading the stored series, and named
 * in `kept`.
 */
export function inlineRecorded(expr: string, recorded: ReadonlyMap<string, string>, intervalMs: number): { expr: string; inlined: string[]; kept: string[] } {
  const inlined = new Set<string>();
  const kept = new Set<string>();
  let current = expr;
  for (let depth = 0; depth < 10; depth++) {
    const edits: Replacement[] = [];
    const text = current;
    parser.parse(text).iterate({
      enter(ref) {
        const n = ref.node;
        if (n.name === 'MatrixSelector') {
          const vs = n.getChild('VectorSelector');
          const name = vs && selectorName(text, vs);
          if (!vs || !name || !recorded.has(name)) return false;
          if (vs.getChild('LabelMatchers') || n.parent?.name === 'OffsetExpr') {
            kept.add(name);
            return false;
          }
          const range = n.getChild('DurationExpr');
          edits.push({ from: n.from, to: n.to, text: `(${recorded.get(name)!})[${range ? text.slice(range.from, range.to) : '5m'}:${Math.max(1, Math.round(intervalMs / 1000))}s]` });
          inlined.add(name);
          return false;
        }
        if (n.name === 'VectorSelector') {
          const name = selectorName(text, n);
          if (!name || !recorded.has(name)) return false;
          if (n.getChild('LabelMatchers') || n.parent?.name === 'OffsetExpr') {
            kept.add(name);
            return false;
          }
          edits.push({ from: n.from, to: n.to, text: `(${recorded.get(name)!})` });
          inlined.add(name);
          return false;
        }
        return undefined;
      },
    });
    if (!edits.length) break;
    for (const e of edits.sort((a, b) => b.from - a.from)) current = current.slice(0, e.from) + e.text + current.slice(e.to);
  }
  return { expr: current, inlined: [...inlined].sort(), kept: [...kept].sort() };
}
