import { describe, expect, it } from 'vitest';
import type { AlertNotice } from '../contract.js';
import { FiringAlerts, notificationFor } from './notices.js';

const notice = (status: AlertNotice['status'], fingerprint: string, alertname: string, severity = 'warning'): AlertNotice => ({
  status, fingerprint, alertname, severity, labels: { alertname, severity }, startsAt: '2026-11-25T10:00:00Z', receivedAt: '2026-11-25T10:00:10Z',
  summary: `${alertname} summary`, description: 'what happened',
});

describe('alert notices on the desktop', () => {
  it('raises a notification for a firing alert only, critical ones marked', () => {
    expect(notificationFor(notice('firing', 'a', 'LoginRateLimited'))).toEqual({ title: 'Alert: LoginRateLimited', body: 'LoginRateLimited summary — what happened', urgency: 'normal' });
    expect(notificationFor(notice('firing', 'b', 'RefreshTokenReuse', 'critical'))?.urgency).toBe('critical');
    expect(notificationFor(notice('resolved', 'a', 'LoginRateLimited'))).toBeUndefined();
  });

  it('closes the notification of an alert that resolves or is silenced, and counts the rest for the badge', () => {
    const firing = new FiringAlerts<string>();
    expect(firing.apply(notice('firing', 'a', 'LoginRateLimited'), () => 'n-a')).toBeUndefined();
    firing.apply(notice('firing', 'b', 'RefreshTokenReuse'), () => 'n-b');
    firing.apply(notice('firing', 'c', 'RefreshTokenReuse'), () => undefined); // notifications unsupported: still counted
    expect(firing.count).toBe(3);
    expect(firing.summary()).toBe('3 alerts firing: LoginRateLimited, RefreshTokenReuse');
    expect(firing.apply(notice('resolved', 'a', 'LoginRateLimited'), () => 'x')).toBe('n-a');
    expect(firing.apply(notice('silenced', 'b', 'RefreshTokenReuse'), () => 'x')).toBe('n-b');
    expect(firing.apply(notice('resolved', 'c', 'RefreshTokenReuse'), () => 'x')).toBeUndefined();
    expect(firing.count).toBe(0);
    expect(firing.summary()).toBe('no alerts firing');
  });
});
