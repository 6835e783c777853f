// What the desktop does with an alert notice (kept free of Electron so it is unit-tested): a
// new firing alert raises a notification, a resolved or silenced one closes it, and the tray
// and dock badge show how many fire.
import type { AlertNotice } from '../contract.js';

export interface DesktopNotification { title: string; body: string; urgency: 'critical' | 'normal' }

export function notificationFor(n: AlertNotice): DesktopNotification | undefined {
  if (n.status !== 'firing') return undefined;
  const critical = n.severity === 'critical';
  return {
    title: `${critical ? 'Critical' : 'Alert'}: ${n.alertname}`,
    body: [n.summary, n.description].filter(Boolean).join(' — ') || `${n.alertname} is firing`,
    urgency: critical ? 'critical' : 'normal',
  };
}

/** Tracks the firing alerts by fingerprint; says which notification to close when one ends. */
export class FiringAlerts<T> {
  private readonly shown = new Map<string, T>();
  private readonly names = new Map<string, string>();

  /** Applies a notice; returns the handle to close (resolved or silenced), if one was shown. */
  apply(n: AlertNotice, show: () => T | undefined): T | undefined {
    if (n.status === 'firing') {
      const handle = show();
      if (handle !== undefined) this.shown.set(n.fingerprint, handle);
      else this.shown.delete(n.fingerprint);
      this.names.set(n.fingerprint, n.alertname);
      return undefined;
    }
    this.names.delete(n.fingerprint);
    const handle = this.shown.get(n.fingerprint);
    this.shown.delete(n.fingerprint);
    return handle;
  }

  get count(): number {
    return this.names.size;
  }

  /** "2 alerts firing: LoginRateLimited, RefreshTokenReuse" for the tray. */
  summary(): string {
    if (!this.names.size) return 'no alerts firing';
    const names = [...new Set(this.names.values())].sort();
    return `${this.names.size} alert${this.names.size === 1 ? '' : 's'} firing: ${names.join(', ')}`;
  }
}
