// A PromQL query explained node by node, parsed in the page with the Prometheus team's grammar
// (@prometheus-io/lezer-promql, the parser under the editor): each node's expression and a
// sentence of what it does. The Debian Prometheus (2.42) has neither an Explain tab nor
// /api/v1/parse_query, so nothing here asks the server; counting series is the page's to do.
import { parser } from '@prometheus-io/lezer-promql';
import type { SyntaxNode } from '@lezer/common';

export interface ExplainNode {
  /** The node's text in the query. */
  expr: string;
  kind: 'selector' | 'range' | 'function' | 'aggregation' | 'binary' | 'number' | 'string' | 'subquery' | 'offset' | 'unary' | 'at';
  sentence: string;
  /** The vector selector to list the matching series of (selectors and range selectors). */
  selector?: string;
  children: ExplainNode[];
}

export type Explained = { root: ExplainNode } | { error: string; at: number };

const FUNCTIONS: Record<string, string> = {
  rate: 'the per-second average rate of increase of each counter over its range, with counter resets taken into account',
  irate: 'the per-second rate of each counter from the last two samples of its range (follows spikes; for graphs, not alerts)',
  increase: 'how much each counter grew over its range (extrapolated to the range\'s edges, resets taken into account)',
  delta: 'the difference between the first and last value of each gauge over its range',
  idelta: 'the difference between the last two samples of each gauge',
  deriv: 'the per-second slope of each gauge over its range (least squares)',
  predict_linear: 'the value each gauge is predicted to have after the given seconds, from its trend over the range',
  changes: 'how many times each series\' value changed within its range',
  resets: 'how many times each counter was reset within its range',
  avg_over_time: 'the average of each series\' samples within its range',
  min_over_time: 'the lowest sample of each series within its range',
  max_over_time: 'the highest sample of each series within its range',
  sum_over_time: 'the sum of each series\' samples within its range',
  count_over_time: 'how many samples each series has within its range',
  last_over_time: 'the latest sample of each series within its range',
  present_over_time: '1 for each series that has any sample within its range',
  quantile_over_time: 'the given quantile of each series\' samples within its range',
  stddev_over_time: 'the standard deviation of each series\' samples within its range',
  stdvar_over_time: 'the variance of each series\' samples within its range',
  absent: '1 (with the selector\'s labels) when the expression returns nothing, else nothing: for alerting on missing series',
  absent_over_time: '1 when the range holds no sample at all, else nothing',
  abs: 'the absolute value of each value', ceil: 'each value rounded up', floor: 'each value rounded down',
  round: 'each value rounded to the nearest integer (or multiple of the given number)',
  exp: 'e to the power of each value', ln: 'the natural logarithm of each value', log2: 'the base-2 logarithm of each value',
  log10: 'the base-10 logarithm of each value', sqrt: 'the square root of each value', sgn: 'the sign of each value (-1, 0 or 1)',
  clamp: 'each value held between the given minimum and maximum', clamp_min: 'each value raised to at least the given minimum',
  clamp_max: 'each value lowered to at most the given maximum',
  sort: 'the series sorted by value, smallest first (instant queries only)', sort_desc: 'the series sorted by value, largest first (instant queries only)',
  scalar: 'the single series\' value as a number (NaN unless there is exactly one series)',
  vector: 'the number as a series with no labels', time: 'the evaluation time in seconds since 1970',
  timestamp: 'the time of each series\' sample, in seconds since 1970',
  label_replace: 'each series with a label set from a regex match on another label',
  label_join: 'each series with a label made by joining the values of other labels',
  histogram_quantile: 'an estimate of the quantile from each histogram\'s cumulative buckets (the le label), interpolated within the bucket where it falls; the buckets must keep le (sum by (le, …))',
  histogram_count: 'the count of observations of each native histogram', histogram_sum: 'the sum of observations of each native histogram',
  histogram_fraction: 'the fraction of observations between two values, from each histogram',
  day_of_week: 'the day of the week (0 is Sunday) of each value taken as a time', hour: 'the hour (UTC) of each value taken as a time',
  minute: 'the minute of each value taken as a time', month: 'the month of each value taken as a time', year: 'the year of each value taken as a time',
  days_in_month: 'the number of days in the month of each value taken as a time', day_of_month: 'the day of the month of each value taken as a time',
  day_of_year: 'the day of the year of each value taken as a time',
};

const AGGREGATIONS: Record<string, string> = {
  sum: 'adds up the values', avg: 'averages the values', min: 'takes the lowest value', max: 'takes the highest value',
  count: 'counts the series', group: 'gives 1 for each group', stddev: 'takes the standard deviation of the values',
  stdvar: 'takes the variance of the values', topk: 'keeps the K series with the largest values', bottomk: 'keeps the K series with the smallest values',
  quantile: 'takes the φ-quantile of the values', count_values: 'counts the series that have each distinct value, into the named label',
  limitk: 'keeps K of the series', limit_ratio: 'keeps a ratio of the series',
};

const OPS: Record<string, [string, string]> = {
  Add: ['+', 'adds'], Sub: ['-', 'subtracts'], Mul: ['*', 'multiplies'], Div: ['/', 'divides'], Mod: ['%', 'takes the remainder of'], Pow: ['^', 'raises'],
  Eql: ['==', 'equal to'], Neq: ['!=', 'not equal to'], Gtr: ['>', 'greater than'], Lss: ['<', 'less than'], Gte: ['>=', 'at least'], Lte: ['<=', 'at most'],
  And: ['and', ''], Or: ['or', ''], Unless: ['unless', ''], Atan2: ['atan2', 'takes the arc tangent of'],
};
const COMPARISONS = new Set(['Eql', 'Neq', 'Gtr', 'Lss', 'Gte', 'Lte']);
const MATCH_WORDS: Record<string, string> = { '=': 'is', '!=': 'is not', '=~': 'matches', '!~': 'does not match' };

const list = (xs: string[]) => (xs.length <= 1 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs.at(-1)!}`);

/** The query explained, or where it stops parsing. */
export function explain(query: string): Explained {
  const tree = parser.parse(query);
  let error: number | undefined;
  tree.iterate({ enter: (n) => (n.type.isError && error === undefined ? ((error = n.from), false) : undefined) });
  if (error !== undefined) return { error: `the query does not parse at character ${error + 1}`, at: error };
  const top = tree.topNode.firstChild;
  if (!top) return { error: 'the query is empty', at: 0 };
  const text = (n: SyntaxNode) => query.slice(n.from, n.to);

  const selectorWords = (n: SyntaxNode): string => {
    const name = n.getChild('Identifier');
    const matchers = (n.getChild('LabelMatchers')?.getChildren('UnquotedLabelMatcher') ?? []).map((m) => {
      const label = text(m.getChild('LabelName')!);
      const op = text(m.getChild('MatchOp')!);
      const value = text(m.getChild('StringLiteral')!);
      if (label === '__name__') return `whose name ${MATCH_WORDS[op]} ${value}`;
      return `${label} ${MATCH_WORDS[op] ?? op} ${value}`;
    });
    const quoted = n.getChild('LabelMatchers')?.getChildren('QuotedLabelName') ?? [];
    const what = name ? `every series of ${text(name)}` : quoted.length ? `every series named ${text(quoted[0]!)}` : 'every series';
    return matchers.length ? `${what} where ${list(matchers)}` : what;
  };

  const isNumber = (n: SyntaxNode | null): boolean => {
    if (!n) return false;
    if (n.name === 'NumberDurationLiteral') return true;
    if (n.name === 'ParenExpr' || n.name === 'UnaryExpr') return isNumber(n.lastChild);
    if (n.name === 'FunctionCall') return ['scalar', 'time', 'pi'].includes(text(n.getChild('FunctionIdentifier')!));
    if (n.name === 'BinaryExpr') return isNumber(n.firstChild) && isNumber(n.lastChild);
    return false;
  };

  const visit = (n: SyntaxNode): ExplainNode => {
    const expr = text(n);
    switch (n.name) {
      case 'ParenExpr': {
        const inner = n.firstChild?.nextSibling ?? n.firstChild;
        return inner ? visit(inner.name === '(' ? inner.nextSibling! : inner) : { expr, kind: 'number', sentence: 'an empty pair of parentheses', children: [] };
      }
      case 'VectorSelector':
        return { expr, kind: 'selector', selector: expr, sentence: `the latest sample (at most 5 minutes old) of ${selectorWords(n)}`, children: [] };
      case 'MatrixSelector': {
        const vs = n.getChild('VectorSelector')!;
        return { expr, kind: 'range', selector: text(vs), sentence: `the samples of the last ${text(n.getChild('DurationExpr') ?? n.lastChild!)} of ${selectorWords(vs)}`, children: [] };
      }
      case 'NumberDurationLiteral':
        return { expr, kind: 'number', sentence: `the number ${expr}`, children: [] };
      case 'StringLiteral':
        return { expr, kind: 'string', sentence: `the text ${expr}`, children: [] };
      case 'UnaryExpr': {
        const inner = n.lastChild!;
        return { expr, kind: 'unary', sentence: text(n.firstChild!) === '-' ? 'each value with its sign flipped' : 'each value as it is', children: [visit(inner)] };
      }
      case 'OffsetExpr': {
        const inner = n.firstChild!;
        return { expr, kind: 'offset', sentence: `the same, ${text(n.lastChild!)} earlier (offset)`, children: [visit(inner)] };
      }
      case 'StepInvariantExpr': {
        const inner = n.firstChild!;
        return { expr, kind: 'at', sentence: `evaluated at the fixed time ${text(n.lastChild!)} whatever the query's time (@)`, children: [visit(inner)] };
      }
      case 'SubqueryExpr': {
        const durations = n.getChildren('DurationExpr').map(text);
        const inner = n.firstChild!;
        return { expr, kind: 'subquery', sentence: `the inner expression evaluated ${durations[1] ? `every ${durations[1]}` : 'at the global evaluation interval'} over the last ${durations[0] ?? '?'}, as a range for the function around it`, children: [visit(inner)] };
      }
      case 'FunctionCall': {
        const name = text(n.getChild('FunctionIdentifier')!);
        const args = argsOf(n.getChild('FunctionCallBody'));
        let sentence = FUNCTIONS[name] ?? `${name}(…) of its arguments`;
        if (name === 'histogram_quantile' && args[0] && isNumber(args[0])) {
          const q = Number(text(args[0]));
          if (Number.isFinite(q)) sentence = `the ${q * 100}th percentile, estimated from each histogram's cumulative buckets (the le label) by interpolating within the bucket where it falls; the buckets must keep le (sum by (le, …))`;
        }
        return { expr, kind: 'function', sentence, children: args.map(visit) };
      }
      case 'AggregateExpr': {
        const op = text(n.getChild('AggregateOp')!);
        const modifier = n.getChild('AggregateModifier');
        const labels = modifier ? (modifier.getChild('GroupingLabels')?.getChildren('LabelName') ?? []).map(text) : [];
        const how = !modifier ? 'across all series, into one series with no labels'
          : modifier.getChild('By') ? (labels.length ? `for each distinct ${list(labels)}, dropping every other label` : 'across all series, into one series with no labels')
            : `for each combination of the labels other than ${list(labels)}`;
        const args = argsOf(n.getChild('FunctionCallBody'));
        return { expr, kind: 'aggregation', sentence: `${AGGREGATIONS[op] ?? `aggregates with ${op}`} ${how}`, children: args.map(visit) };
      }
      case 'BinaryExpr': {
        const left = n.firstChild!;
        const right = n.lastChild!;
        let opNode = left.nextSibling;
        while (opNode && !(opNode.name in OPS)) opNode = opNode.nextSibling;
        const op = opNode?.name ?? '';
        const [symbol, verb] = OPS[op] ?? [op, op];
        const bool = !!n.getChild('BoolModifier');
        const matching = n.getChild('MatchingModifierClause');
        const onLabels = matching?.getChild('GroupingLabels')?.getChildren('LabelName').map(text) ?? [];
        const scalarSide = isNumber(left) || isNumber(right);
        const pairing = scalarSide ? '' : matching?.getChild('On') ? `, pairing series on ${list(onLabels) || 'no labels'}`
          : matching?.getChild('Ignoring') ? `, pairing series on all labels but ${list(onLabels)}` : ', pairing series with identical labels';
        const many = matching?.getChild('GroupLeft') ? ' (many on the left to one on the right: group_left)' : matching?.getChild('GroupRight') ? ' (one on the left to many on the right: group_right)' : '';
        let sentence: string;
        if (op === 'And') sentence = `the left-hand series that have a partner on the right${pairing.replace(', pairing series', ' (matched')}${pairing ? ')' : ''}`;
        else if (op === 'Or') sentence = `the left-hand series, and the right-hand ones that have no partner on the left`;
        else if (op === 'Unless') sentence = `the left-hand series that have no partner on the right`;
        else if (COMPARISONS.has(op)) sentence = bool ? `1 where the left value is ${verb} the right, else 0${pairing}` : `the left-hand series whose value is ${verb} ${isNumber(right) ? text(right) : 'the right-hand value'} (the others are dropped: a filter)${pairing}`;
        else if (op === 'Div') sentence = `the left value divided by the right${pairing}${many}`;
        else if (op === 'Pow') sentence = `the left value raised to the power of the right${pairing}${many}`;
        else if (op === 'Sub') sentence = `the right value subtracted from the left${pairing}${many}`;
        else sentence = `${verb} the left and right values (${symbol})${pairing}${many}`;
        return { expr, kind: 'binary', sentence, children: [visit(left), visit(right)] };
      }
      default:
        return { expr, kind: 'number', sentence: `${n.name} ${expr}`, children: [...childrenOf(n)].map(visit) };
    }
  };
  return { root: visit(top) };
}

/** A call's arguments (the expressions between its parentheses). */
function argsOf(body: SyntaxNode | null): SyntaxNode[] {
  return body ? [...childrenOf(body)].filter((c) => !['(', ')', ','].includes(c.name)) : [];
}

function* childrenOf(n: SyntaxNode): Generator<SyntaxNode> {
  for (let c = n.firstChild; c; c = c.nextSibling) yield c;
}

/** Every node of the tree, depth first. */
export function nodesOf(root: ExplainNode): ExplainNode[] {
  return [root, ...root.children.flatMap(nodesOf)];
}
