// The alert history as CSV, as the Alerts view downloads it: one alert a row (rule, labels,
// fired, resolved, seconds firing), cells quoted where they hold a comma, a quote or a newline.
import type { AlertHistoryEntry } from '../../main/contract';

export function historyCsv(entries: AlertHistoryEntry[]): string {
  const cell = (v: string) => (/[\u0022,\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const rows = entries.map((e) => [
    e.alertname,
    Object.entries(e.labels).filter(([k]) => k !== 'alertname').map(([k, v]) => `${k}=${v}`).join(' '),
    new Date(e.firedAt).toISOString(),
    e.resolvedAt ? new Date(e.resolvedAt).toISOString() : '',
    e.resolvedAt ? String(Math.round((e.resolvedAt - e.firedAt) / 1000)) : '',
  ].map(cell).join(','));
  return `${['alertname,labels,fired_at,resolved_at,firing_seconds', ...rows].join('\n')}\n`;
}
