import { describe, expect, it } from 'vitest';
import type { AlertmanagerClient, AmAlert } from '../prom/client.js';
import { parseRoutes, pathTestLabels, runPathTest } from './path-test.js';

/** An Alertmanager that keeps what is posted, routes everything to `receiver`, and tells `deliver` what it sends. */
function fakeAlertmanager(receiver: string, deliver: (fp: string, status: 'firing' | 'resolved') => void) {
  const posted: { labels: Record<string, string>; endsAt: string }[] = [];
  const am = {
    postAlerts: (alerts: { labels: Record<string, string>; endsAt: string }[]) => {
      for (const a of alerts) {
        posted.push(a);
        deliver('fp01', Date.parse(a.endsAt) <= Date.now() ? 'resolved' : 'firing');
      }
      return Promise.resolve();
    },
    alerts: () => {
      const last = posted.at(-1);
      if (!last || Date.parse(last.endsAt) <= Date.now()) return Promise.resolve([] as AmAlert[]);
      return Promise.resolve([{ labels: last.labels, fingerprint: 'fp01', receivers: [{ name: receiver }], status: { state: 'active' } } as unknown as AmAlert]);
    },
  };
  return { am: am as unknown as AlertmanagerClient, posted };
}

describe('the alert path test', () => {
  it('goes hop by hop and leaves nothing firing when every hop works', async () => {
    const seen = new Map<string, { firing?: string; resolved?: string }>();
    const { am, posted } = fakeAlertmanager('obsdeck', (fp, status) => seen.set(fp, { ...seen.get(fp), [status]: new Date().toISOString() }));
    const r = await runPathTest({ alertmanager: am, routes: () => Promise.resolve(['obsdeck']), seen: (fp) => Promise.resolve(seen.get(fp)), lastError: () => Promise.resolve(undefined), everyMs: 5 }, 'abcd');
    expect(r).toMatchObject({ ok: true, run: 'abcd', alertname: 'ObsdeckPathTest_abcd' });
    expect(r.hops.map((h) => [h.hop, h.ok])).toEqual([['routes checked', true], ['accepted', true], ['routed', true], ['delivered', true], ['resolved', true]]);
    expect(posted.map((p) => p.labels)).toEqual([pathTestLabels('abcd'), pathTestLabels('abcd')]);
    expect(Date.parse(posted[1]!.endsAt)).toBeLessThanOrEqual(Date.now()); // resolved
  });

  it('sends nothing when Alertmanager would route the test anywhere but obsdeck alone', async () => {
    for (const receivers of [['email'], ['obsdeck', 'pager'], []]) {
      const { am, posted } = fakeAlertmanager('obsdeck', () => undefined);
      const r = await runPathTest({ alertmanager: am, routes: () => Promise.resolve(receivers), seen: () => Promise.resolve(undefined), lastError: () => Promise.resolve(undefined) });
      expect(r.ok).toBe(false);
      expect(r.problem).toMatch(/^routes checked: the running alertmanager\.yml routes obsdeck_path_test="true" to .*, not to obsdeck alone, so nothing was sent/);
      expect(posted).toEqual([]);
    }
  });

  it('names the failed delivery with Alertmanager\'s words, and still resolves the test alert', async () => {
    const { am, posted } = fakeAlertmanager('obsdeck', () => undefined);
    const why = 'Post "<redacted>": dial tcp 172.17.0.1:5001: connect: connection refused';
    const r = await runPathTest({ alertmanager: am, routes: () => Promise.resolve(['obsdeck']), seen: () => Promise.resolve(undefined), lastError: () => Promise.resolve(why), hopTimeoutMs: 200, everyMs: 10 });
    expect(r).toMatchObject({ ok: false, problem: `delivered: Alertmanager could not deliver it to the app: ${why}`, details: why });
    expect(r.hops.at(-1)).toMatchObject({ hop: 'delivered', ok: false });
    expect(Date.parse(posted.at(-1)!.endsAt)).toBeLessThanOrEqual(Date.now());
  });

  it('reads amtool\'s answer', () => {
    expect(parseRoutes('obsdeck\n')).toEqual(['obsdeck']);
    expect(parseRoutes('obsdeck,email\n')).toEqual(['obsdeck', 'email']);
    expect(parseRoutes('')).toEqual([]);
  });
});
