// Shared formatting for the pages (after Headlamp's lib/util.ts): durations, times since,
// byte sizes. Pure functions, unit-tested.

/** A duration in whole seconds as a person reads it: 45s, 3m, 2h, 3d. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172_800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86_400)}d`;
}

/** How long since an ISO time ('' when there is none; Go's zero time is "never"). */
export function since(iso: string | undefined, now: number): string {
  if (!iso) return '';
  if (iso.startsWith('0001')) return 'never';
  return formatDuration((now - Date.parse(iso)) / 1000);
}

/** As since(), with "ago" (or "never"). */
export function ago(iso: string, now: number): string {
  const s = since(iso, now);
  return s === 'never' || s === '' ? 'never' : `${s} ago`;
}

/** Bytes in binary units: 512 B, 1.5 KiB, 230 MiB. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}
