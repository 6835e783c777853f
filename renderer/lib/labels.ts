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
