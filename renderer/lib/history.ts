// The alert history's rows: an alert's labels as one line, and a rule's alerts by label set.
import type { AlertHistoryEntry } from '../../main/contract';

/** `job=api severity=warning`: the labels but the alert's name. */
export const labelText = (labels: Record<string, string>) => Object.entries(labels).filter(([k]) => k !== 'alertname').map(([k, v]) => `${k}=${v}`).join(' ');

/** A rule's alerts by label set (in the order they first appear), so one noisy instance stands out. */
export function byLabelSet(entries: AlertHistoryEntry[]): Map<string, AlertHistoryEntry[]> {
  const out = new Map<string, AlertHistoryEntry[]>();
  for (const e of entries) out.set(labelText(e.labels), [...(out.get(labelText(e.labels)) ?? []), e]);
  return out;
}
