// Alertmanager's routing tree, read from alertmanager.yml and walked as its dispatcher walks it
// (dispatch/route.go, Route.Match): a route matches when all its matchers do; its children are
// tried in order, and the first that matches ends the search unless it says `continue`; a route
// none of whose children match is itself the match. Receivers, grouping and timers are inherited
// from the parent where a route does not set them. Inhibition (inhibit/inhibit.go): an alert is
// muted while a firing alert matches a rule's source matchers, it matches the target matchers,
// and both have the same values for the rule's `equal` labels. Checked against the stand-in's own
// `amtool config routes test` in test/integration/observability-configs.test.ts.
import { isMap, isSeq, type LineCounter, type YAMLMap } from 'yaml';
import type { RouteView, RoutingView } from '../contract.js';
import { parseYamlAt, WorkbenchError } from '../rules/files.js';

export type Labels = Record<string, string>;
export interface Matcher { name: string; op: '=' | '!=' | '=~' | '!~'; value: string }

/** A route as the contract shows it (RouteView), with its matchers parsed to walk the tree. */
export type RouteNode = Omit<RouteView, 'matchers' | 'routes'> & { matchers: Matcher[]; routes: RouteNode[] };

export interface InhibitRule { line?: number; source: Matcher[]; target: Matcher[]; equal: string[] }
export interface RoutingConfig { root: RouteNode; inhibit: InhibitRule[]; receivers: string[] }

const MATCHER = /^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(=~|!=|!~|=)\s*(.*?)\s*$/s;

function unquote(v: string): string {
  if (!v.startsWith('"')) return v;
  if (!v.endsWith('"') || v.length < 2) throw new WorkbenchError(`${v}: a quoted value must end with a quote`);
  return JSON.parse(v.replace(/\\(?!["\\nt])/g, '\\\\')) as string;
}

/** One matcher list as Alertmanager writes it: `a="b", c=~"x|y"`, in braces or not, values quoted or not. */
export function parseMatchers(text: string): Matcher[] {
  let s = text.trim();
  if (s.startsWith('{') && s.endsWith('}')) s = s.slice(1, -1);
  const parts: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\' && quoted) {
      cur += c + (s[++i] ?? '');
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === ',' && !quoted) {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  if (cur.trim()) parts.push(cur);
  return parts.map((p) => {
    const m = MATCHER.exec(p);
    if (!m) throw new WorkbenchError(`"${p.trim()}" is not a matcher (name="value", name=~"regex", name!="value")`);
    const value = unquote(m[3]!);
    if (m[2] === '=~' || m[2] === '!~') {
      try {
        new RegExp(value);
      } catch {
        throw new WorkbenchError(`"${p.trim()}": ${value} is not a regular expression`);
      }
    }
    return { name: m[1]!, op: m[2] as Matcher['op'], value };
  });
}

export const matcherText = (m: Matcher) => `${m.name}${m.op}${JSON.stringify(m.value)}`;

/** Whether `labels` satisfy one matcher; a missing label is the empty string, as in Alertmanager. */
export function matches(m: Matcher, labels: Labels): boolean {
  const v = labels[m.name] ?? '';
  switch (m.op) {
    case '=': return v === m.value;
    case '!=': return v !== m.value;
    case '=~': return new RegExp(`^(?:${m.value})$`, 's').test(v);
    case '!~': return !new RegExp(`^(?:${m.value})$`, 's').test(v);
  }
}

export const allMatch = (ms: Matcher[], labels: Labels) => ms.every((m) => matches(m, labels));

function strings(node: unknown): string[] {
  return isSeq(node) ? node.items.map((i) => String((i as { value?: unknown }).value ?? i)) : [];
}

function matchersOf(node: YAMLMap, keys: { list: string; eq: string; re: string }): Matcher[] {
  const out: Matcher[] = strings(node.get(keys.list)).flatMap(parseMatchers);
  const eq = node.get(keys.eq);
  if (isMap(eq)) for (const [k, v] of Object.entries(eq.toJSON() as Record<string, unknown>)) out.push({ name: k, op: '=', value: String(v) });
  const re = node.get(keys.re);
  if (isMap(re)) for (const [k, v] of Object.entries(re.toJSON() as Record<string, unknown>)) out.push({ name: k, op: '=~', value: String(v) });
  return out;
}

const DEFAULTS = { groupWait: '30s', groupInterval: '5m', repeatInterval: '4h' };

function routeOf(node: YAMLMap, id: string, parent: RouteNode | undefined, lines: LineCounter): RouteNode {
  const str = (k: string) => {
    const v = node.get(k);
    return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
  };
  const groupBy = node.get('group_by');
  const route: RouteNode = {
    id,
    ...(node.range ? { line: lines.linePos(node.range[0]).line } : {}),
    matchers: parent ? matchersOf(node, { list: 'matchers', eq: 'match', re: 'match_re' }) : [],
    receiver: str('receiver') ?? parent?.receiver ?? '',
    ownReceiver: str('receiver') !== undefined,
    groupBy: isSeq(groupBy) ? strings(groupBy) : parent?.groupBy ?? [],
    groupWait: str('group_wait') ?? parent?.groupWait ?? DEFAULTS.groupWait,
    groupInterval: str('group_interval') ?? parent?.groupInterval ?? DEFAULTS.groupInterval,
    repeatInterval: str('repeat_interval') ?? parent?.repeatInterval ?? DEFAULTS.repeatInterval,
    continue: node.get('continue') === true,
    muteTimeIntervals: strings(node.get('mute_time_intervals')),
    activeTimeIntervals: strings(node.get('active_time_intervals')),
    routes: [],
  };
  const children = node.get('routes');
  if (isSeq(children)) route.routes = children.items.filter(isMap).map((c, i) => routeOf(c, `${id}.${i}`, route, lines));
  return route;
}

/** The routing tree and inhibition rules of an alertmanager.yml's text; throws at file:line:col where it cannot read them. */
export function readRouting(text: string, file = 'alertmanager.yml'): RoutingConfig {
  const { doc, lines } = parseYamlAt(text, file);
  const route = doc.get('route');
  if (!isMap(route)) throw new WorkbenchError(`${file}: no "route:" section`);
  const receivers = doc.get('receivers');
  const inhibit = doc.get('inhibit_rules');
  return {
    root: routeOf(route, 'root', undefined, lines),
    receivers: isSeq(receivers) ? receivers.items.filter(isMap).map((r) => { const n: unknown = r.get('name'); return typeof n === 'string' ? n : ''; }) : [],
    inhibit: isSeq(inhibit) ? inhibit.items.filter(isMap).map((r) => ({
      ...(r.range ? { line: lines.linePos(r.range[0]).line } : {}),
      source: matchersOf(r, { list: 'source_matchers', eq: 'source_match', re: 'source_match_re' }),
      target: matchersOf(r, { list: 'target_matchers', eq: 'target_match', re: 'target_match_re' }),
      equal: strings(r.get('equal')),
    })) : [],
  };
}

/** The routes an alert with `labels` reaches, as the dispatcher finds them (in order). */
export function matchRoutes(route: RouteNode, labels: Labels): RouteNode[] {
  if (!allMatch(route.matchers, labels)) return [];
  const all: RouteNode[] = [];
  for (const child of route.routes) {
    const found = matchRoutes(child, labels);
    all.push(...found);
    if (found.length && !child.continue) break;
  }
  return all.length ? all : [route];
}

/** The receivers of the routes `labels` reach, in order, as `amtool config routes test` prints them. */
export function receiversFor(config: RoutingConfig, labels: Labels): string[] {
  return matchRoutes(config.root, labels).map((r) => r.receiver);
}

/**
 * Which of the active (firing) alerts would mute an alert with `labels`, and by which rule: a
 * source alert matches the rule's source, `labels` its target, and they agree on `equal`. An
 * alert does not mute itself.
 */
export function inhibitedBy(config: RoutingConfig, labels: Labels, active: Labels[]): { rule: InhibitRule; source: Labels }[] {
  const out: { rule: InhibitRule; source: Labels }[] = [];
  const same = (a: Labels, b: Labels) => Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v);
  for (const rule of config.inhibit) {
    if (!allMatch(rule.target, labels)) continue;
    const source = active.find((a) => !same(a, labels) && allMatch(rule.source, a) && rule.equal.every((k) => (a[k] ?? '') === (labels[k] ?? '')));
    if (source) out.push({ rule, source });
  }
  return out;
}

const routeView = (r: RouteNode): RouteView => ({ ...r, matchers: r.matchers.map(matcherText), routes: r.routes.map(routeView) });

/** The tree as the Alerts view and `obsdeck routes` show it, and, given `labels`, where they go and who would mute them. */
export function routingView(text: string, opts: { draft: boolean; labels?: Labels; active?: Labels[] }): RoutingView {
  const config = readRouting(text);
  const view: RoutingView = {
    draft: opts.draft,
    root: routeView(config.root),
    receivers: config.receivers,
    inhibit: config.inhibit.map((r) => ({ ...(r.line ? { line: r.line } : {}), source: r.source.map(matcherText), target: r.target.map(matcherText), equal: r.equal })),
  };
  if (opts.labels) {
    const matched = matchRoutes(config.root, opts.labels);
    view.test = {
      labels: opts.labels,
      matched: matched.map((r) => r.id),
      receivers: matched.map((r) => r.receiver),
      inhibitedBy: inhibitedBy(config, opts.labels, opts.active ?? []).map((x) => ({ rule: config.inhibit.indexOf(x.rule), source: x.source })),
    };
  }
  return view;
}

/** The tree as text, one route a line, indented by depth (`obsdeck routes`). */
export function treeLines(r: RouteView, depth = 0): string[] {
  const what = depth === 0 ? 'route (every alert)' : r.matchers.length ? r.matchers.join(', ') : '(every alert)';
  const timers = `group_by [${r.groupBy.join(', ')}] wait ${r.groupWait} interval ${r.groupInterval} repeat ${r.repeatInterval}`;
  const line = `${'  '.repeat(depth)}${what} → ${r.receiver}${r.continue ? ' (continue)' : ''}  ${timers}`;
  return [line, ...r.routes.flatMap((c) => treeLines(c, depth + 1))];
}
