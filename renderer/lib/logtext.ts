// Pure helpers of the Logs view: levels, ANSI colours and match highlighting, kept apart from
// React so they are unit-tested.

export type Level = 'error' | 'warn' | 'info' | 'debug';
export const LEVELS: Level[] = ['error', 'warn', 'info', 'debug'];

const PINO: Record<string, Level> = { '10': 'debug', '20': 'debug', '30': 'info', '40': 'warn', '50': 'error', '60': 'error' };
const WORDS: Record<string, Level> = { error: 'error', err: 'error', fatal: 'error', crit: 'error', critical: 'error', warn: 'warn', warning: 'warn', info: 'info', debug: 'debug', trace: 'debug' };

/** The level a line carries (logfmt `level=warn`, pino `"level":40`, or a leading WORD), if any. */
export function levelOf(text: string): Level | undefined {
  const logfmt = /\blevel=("?)(\w+)\1/i.exec(text);
  if (logfmt) return WORDS[logfmt[2]!.toLowerCase()];
  const pino = /"level":\s*(\d{2}|"\w+")/.exec(text);
  if (pino) return PINO[pino[1]!] ?? WORDS[pino[1]!.replace(/"/g, '').toLowerCase()];
  const word = /^\W{0,3}(ERROR|ERR|FATAL|WARN|WARNING|INFO|DEBUG|TRACE)\b/.exec(text);
  return word ? WORDS[word[1]!.toLowerCase()] : undefined;
}

export interface Segment { text: string; fg?: number; bold?: boolean; match?: boolean }

/** Splits a line at ANSI SGR escapes (colours 30–37 and 90–97, bold), dropping other escapes. */
export function ansiSegments(text: string): Segment[] {
  const out: Segment[] = [];
  let fg: number | undefined;
  let bold = false;
  const re = new RegExp(`${String.fromCharCode(27)}\\[([\\d;]*)([A-Za-z])`, 'g');
  let last = 0;
  for (const m of text.matchAll(re)) {
    if (m.index > last) out.push({ text: text.slice(last, m.index), ...(fg !== undefined ? { fg } : {}), ...(bold ? { bold } : {}) });
    last = m.index + m[0].length;
    if (m[2] !== 'm') continue;
    for (const code of (m[1] || '0').split(';').map(Number)) {
      if (code === 0) {
        fg = undefined;
        bold = false;
      } else if (code === 1) bold = true;
      else if (code === 22) bold = false;
      else if ((code >= 30 && code <= 37) || (code >= 90 && code <= 97)) fg = code;
      else if (code === 39) fg = undefined;
    }
  }
  if (last < text.length) out.push({ text: text.slice(last), ...(fg !== undefined ? { fg } : {}), ...(bold ? { bold } : {}) });
  return out;
}

/** The filter a user typed: `/regex/flags` or plain text (case-insensitive); an invalid regex says why. */
export function parseFilter(input: string): { test: (s: string) => boolean; pattern?: RegExp; error?: string } {
  if (!input) return { test: () => true };
  const m = /^\/(.+)\/([gimsuy]*)$/.exec(input);
  try {
    const flags = m ? m[2]! : 'i';
    const pattern = new RegExp(m ? m[1]! : input.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), flags.replace('g', ''));
    return { test: (s) => pattern.test(s), pattern };
  } catch (err) {
    return { test: () => true, error: err instanceof Error ? err.message : String(err) };
  }
}

/** Marks the filter's matches inside segments (for highlighting). */
export function highlight(segments: Segment[], pattern: RegExp | undefined): Segment[] {
  if (!pattern) return segments;
  const global = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`);
  return segments.flatMap((seg) => {
    const parts: Segment[] = [];
    let last = 0;
    for (const m of seg.text.matchAll(global)) {
      if (!m[0]) continue;
      if (m.index > last) parts.push({ ...seg, text: seg.text.slice(last, m.index) });
      parts.push({ ...seg, text: m[0], match: true });
      last = m.index + m[0].length;
    }
    if (last < seg.text.length) parts.push({ ...seg, text: seg.text.slice(last) });
    return parts.length ? parts : [seg];
  });
}

/** A line in a structured format (pino JSON, logfmt), as a person reads it. */
export interface Structured { level?: Level; msg: string; fields: [string, string][] }

/** Keys shown elsewhere (the level, the message) or not worth a column (Docker stamps the time). */
const SKIP = new Set(['level', 'time', 'ts', 'msg', 'message', 'pid', 'hostname', 'v']);

function flatten(prefix: string, value: unknown, out: [string, string][]): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && prefix.split('.').length < 3) {
    for (const [k, v] of Object.entries(value)) flatten(prefix ? `${prefix}.${k}` : k, v, out);
    return;
  }
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  out.push([prefix, text.length > 200 ? `${text.slice(0, 200)}…` : text]);
}

/**
 * The level, message and fields of a JSON (pino: the API) or logfmt (Prometheus, Alertmanager)
 * line; undefined for anything else, which is shown as it is.
 */
export function structured(text: string): Structured | undefined {
  const t = text.trim();
  if (t.startsWith('{')) {
    let obj: unknown;
    try {
      obj = JSON.parse(t);
    } catch {
      return undefined;
    }
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return undefined;
    const o = obj as Record<string, unknown>;
    const fields: [string, string][] = [];
    for (const [k, v] of Object.entries(o)) if (!SKIP.has(k)) flatten(k, v, fields);
    const level = levelOf(t);
    const msg = typeof o.msg === 'string' ? o.msg : typeof o.message === 'string' ? o.message : '';
    return { ...(level ? { level } : {}), msg, fields };
  }
  const pairs = [...t.matchAll(/(?:^|\s)([\w.-]+)=(?:"((?:[^"\\]|\\.)*)"|(\S*))/g)].map((m): [string, string] => [m[1]!, m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? '')]);
  if (pairs.length < 2 || !pairs.some(([k]) => k === 'msg' || k === 'level')) return undefined;
  const get = (k: string) => pairs.find(([key]) => key === k)?.[1];
  const level = WORDS[(get('level') ?? '').toLowerCase()];
  return { ...(level ? { level } : {}), msg: get('msg') ?? '', fields: pairs.filter(([k]) => !SKIP.has(k)) };
}

/** What a line says beyond its text: its level and, for a JSON or logfmt line, its message and fields. */
export interface Details { level?: Level; parsed?: Structured }

/**
 * The line's details, read the first time they are asked for (the line is drawn, or a level or
 * field filter reads it) and kept on the line: most lines of a busy follow are never drawn, and
 * parsing each on arrival cost more than receiving it.
 */
export function details(line: { text: string; details?: Details }): Details {
  if (!line.details) {
    const parsed = structured(line.text);
    const level = parsed?.level ?? levelOf(line.text);
    line.details = { ...(level ? { level } : {}), ...(parsed ? { parsed } : {}) };
  }
  return line.details;
}

/**
 * Puts `row` into `rows` (kept in time order) after every row of the same or an earlier time.
 * Lines mostly come in order, so this is an append; each container's backlog arrives on its own,
 * though, and an older service's lines go back to where they belong.
 */
export function insertByTime<T extends { time: string }>(rows: T[], row: T): void {
  if (!rows.length || rows[rows.length - 1]!.time <= row.time) {
    rows.push(row);
    return;
  }
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (rows[mid]!.time <= row.time) lo = mid + 1;
    else hi = mid;
  }
  rows.splice(lo, 0, row);
}
