// The time ranges of the Metrics view and the explorer: the fixed "last N" ones and a custom one.

export const RANGES: Record<string, number> = { '5m': 300, '15m': 900, '1h': 3600, '6h': 21600, '24h': 86400 };

/** A custom range from the URL (from/to as local datetime-local values), if it is one Prometheus will take. */
export function customWindow(from: string | undefined, to: string | undefined): { window?: [number, number]; error?: string } {
  const a = from ? Date.parse(from) / 1000 : NaN;
  const b = to ? Date.parse(to) / 1000 : NaN;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return { error: 'choose when the range starts and ends' };
  if (b <= a) return { error: 'the range must end after it starts' };
  if (b - a > 86_400) return { error: 'a range can span at most 24 hours' };
  return { window: [Math.floor(a), Math.floor(b)] };
}

/** A Date as a datetime-local input's value (local time, to the minute). */
export function localInput(t: number): string {
  const d = new Date(t);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}
