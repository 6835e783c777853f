// A label set as a person types it: `alertname="HighErrorRate", severity=warning` (braces, quotes
// and commas optional; spaces between pairs also separate them).

/** The labels of `text`, or the first pair that is not `name=value`. */
export function parseLabelSet(text: string): { labels: Record<string, string> } | { error: string } {
  let s = text.trim();
  if (s.startsWith('{') && s.endsWith('}')) s = s.slice(1, -1);
  const labels: Record<string, string> = {};
  const pair = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*("(?:[^"\\]|\\.)*"|[^,\s"]*)\s*,?/gy;
  let at = 0;
  while (at < s.length) {
    pair.lastIndex = at;
    const m = pair.exec(s);
    if (!m || m[0].length === 0) return { error: `"${s.slice(at).trim()}" is not name=value` };
    const raw = m[2]!;
    labels[m[1]!] = raw.startsWith('"') ? (JSON.parse(raw) as string) : raw;
    at = pair.lastIndex;
    while (at < s.length && /[\s,]/.test(s[at]!)) at++;
  }
  return { labels };
}

export const labelSetText = (labels: Record<string, string>) => Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ');

/** Each label name of `series` (but `__name__`) with its distinct values, names and values sorted. */
export function labelValuesOf(series: Record<string, string>[]): [string, string[]][] {
  const values = new Map<string, Set<string>>();
  for (const s of series) for (const [k, v] of Object.entries(s)) if (k !== '__name__') (values.get(k) ?? values.set(k, new Set()).get(k)!).add(v);
  return [...values].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, [...v].sort()]);
}

/** prom:read's request for the series a selector matched in the last 5 minutes. */
export const recentSeries = (selector: string) => ({ path: 'series', params: { 'match[]': selector, start: String(Math.floor(Date.now() / 1000) - 300) } });
