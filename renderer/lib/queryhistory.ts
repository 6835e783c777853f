// The explorer's recent queries, newest first, kept in the page's local storage.
export const HISTORY_KEY = 'obsdeck.explorer.history';
const HISTORY_MAX = 30;

export function loadHistory(storage: Pick<Storage, 'getItem'> = localStorage): string[] {
  try {
    const v: unknown = JSON.parse(storage.getItem(HISTORY_KEY) ?? '[]');
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string').slice(0, HISTORY_MAX) : [];
  } catch {
    return [];
  }
}

/** The history with `expr` first, once. */
export function remember(history: string[], expr: string): string[] {
  return [expr, ...history.filter((h) => h !== expr)].slice(0, HISTORY_MAX);
}
