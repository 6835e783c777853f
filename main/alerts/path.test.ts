import { describe, expect, it } from 'vitest';
import { lastDeliveryError, webhookCounters } from './path.js';

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
});
