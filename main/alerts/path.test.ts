import { describe, expect, it } from 'vitest';
import type { PrometheusClient } from '../prom/client.js';
import { lastDeliveryError, pipelineHops, webhookCounters } from './path.js';

// Alertmanager 0.25's own words, as its log and /metrics give them.
const LOG = [
  'ts=2026-12-01T18:00:00.101Z caller=main.go:240 level=info msg="Starting Alertmanager" version="(version=0.25.0)"',
  'ts=2026-12-01T18:01:10.202Z caller=notify.go:732 level=warn component=dispatcher receiver=obsdeck integration=webhook[0] msg="Notify attempt failed, will retry later" attempts=1 err="Post \\"http://host.docker.internal:5001/alertmanager\\": dial tcp 172.17.0.1:5001: connect: connection refused"',
  'ts=2026-12-01T18:01:20.303Z caller=dispatch.go:352 level=error component=dispatcher msg="Notify for alerts failed" num_alerts=1 err="obsdeck/webhook[0]: notify retry canceled after 2 attempts: Post \\"<redacted>\\": dial tcp 172.17.0.1:5001: connect: no route to host"',
  'ts=2026-12-01T18:01:30.404Z caller=cluster.go:698 level=info component=cluster msg="gossip settled; proceeding"',
].join('\n');

const METRICS = `# HELP alertmanager_notifications_total The total number of attempted notifications.
# TYPE alertmanager_notifications_total counter
alertmanager_notifications_total{integration="email"} 3
alertmanager_notifications_total{integration="webhook"} 15
# HELP alertmanager_notifications_failed_total The total number of failed notifications.
# TYPE alertmanager_notifications_failed_total counter
alertmanager_notifications_failed_total{integration="email"} 3
alertmanager_notifications_failed_total{integration="webhook"} 14
`;

describe('the alert path from Alertmanager\'s own words', () => {
  it('counts webhook notifications sent and failed, not other integrations', () => {
    expect(webhookCounters(METRICS)).toEqual({ sent: 15, failed: 14 });
    expect(webhookCounters('')).toEqual({ sent: 0, failed: 0 });
  });

  it('takes the last delivery failure with its time and Alertmanager\'s reason', () => {
    expect(lastDeliveryError(LOG)).toEqual({
      at: '2026-12-01T18:01:20.303Z',
      message: 'obsdeck/webhook[0]: notify retry canceled after 2 attempts: Post "<redacted>": dial tcp 172.17.0.1:5001: connect: no route to host',
    });
    expect(lastDeliveryError(LOG.split('\n').slice(0, 2).join('\n'))?.message).toBe('Post "http://host.docker.internal:5001/alertmanager": dial tcp 172.17.0.1:5001: connect: connection refused');
    expect(lastDeliveryError(LOG.split('\n')[0]!)).toBeUndefined();
  });

  it('names the broken hop from Prometheus\' own metrics, and says when there is no data yet', async () => {
    const prom = (values: Record<string, number | undefined>, raw: Record<string, number> = {}) => ({
      value: (q: string) => Promise.resolve((q.startsWith('sum(increase') || q.startsWith('max') ? Object.entries(values) : Object.entries(raw)).find(([k]) => q.includes(k))?.[1]),
    }) as unknown as PrometheusClient;
    const healthy = await pipelineHops(prom({ rule_evaluation_failures: 0, alertmanagers_discovered: 1, notifications_errors: 0, notifications_dropped: 0 }), { sent: 3, failed: 0, failing: false });
    expect(healthy.map((h) => `${h.hop} ${h.ok}`)).toEqual(['rules true', 'Prometheus → Alertmanager true', 'Alertmanager → Obsdeck true']);
    const none = await pipelineHops(prom({ rule_evaluation_failures: 0, alertmanagers_discovered: 0 }), undefined);
    expect(none[1]).toMatchObject({ ok: false, message: expect.stringContaining('discovered no Alertmanager') as unknown });
    const errors = await pipelineHops(prom({ rule_evaluation_failures: 2, alertmanagers_discovered: 1, notifications_errors: 4, notifications_dropped: 1 }), { sent: 5, failed: 5, failing: true, lastError: { at: '2026-12-01T18:01:20.303Z', message: 'connection refused' } });
    expect(errors.map((h) => h.ok)).toEqual([false, false, false]);
    expect(errors[1]!.message).toBe('4 errors sending alerts to Alertmanager and 1 alerts dropped in the last 5 minutes');
    expect(errors[2]!.message).toBe('5 of 5 webhook notifications failed: connection refused');
    const fresh = await pipelineHops(prom({}), undefined);
    expect(fresh.map((h) => `${h.ok} ${h.message}`)).toEqual(['true no data yet', 'true no data yet']);
    // A Prometheus younger than two scrapes: the counters as they stand.
    const young = await pipelineHops(prom({ alertmanagers_discovered: 1 }, { rule_evaluation_failures: 0, notifications_errors: 0, notifications_dropped: 0 }), undefined);
    expect(young.map((h) => `${h.ok} ${h.message}`)).toEqual(['true every rule evaluates', 'true 1 Alertmanager discovered, no errors']);
  });
});
