import { describe, expect, it } from 'vitest';
import { AlertReceiver } from '../alerts/receiver.js';
import { HEARTBEAT_STALE_MS, heartbeat } from './alert-path.js';
import type { Runtime } from './runtime.js';

function runtime(receiver: AlertReceiver, watchdog: { activeAt: string } | undefined): Runtime {
  const alerts = watchdog ? [{ labels: { alertname: 'Watchdog' }, annotations: {}, state: 'firing', activeAt: watchdog.activeAt, value: '1' }] : [];
  return { receiver, prometheus: () => ({ alerts: () => Promise.resolve({ alerts }) }) } as unknown as Runtime;
}

describe('the Watchdog heartbeat', () => {
  it('is stale only when the Watchdog fires and nothing of it arrived for 5 minutes since the receiver listens', async () => {
    let now = Date.parse('2026-12-01T10:00:00Z');
    const receiver = new AlertReceiver(() => now);
    await receiver.listen('127.0.0.1', 0);
    try {
      const longAgo = '2026-12-01T09:00:00Z';
      expect(await heartbeat(runtime(receiver, { activeAt: longAgo }), now)).toEqual({ stale: false }); // just began listening
      now += HEARTBEAT_STALE_MS + 1000;
      expect(await heartbeat(runtime(receiver, { activeAt: longAgo }), now)).toEqual({ stale: true });
      expect(await heartbeat(runtime(receiver, undefined), now)).toBeUndefined(); // no Watchdog rule: nothing to say
      receiver.lastHeartbeatAt = now - 60_000;
      expect(await heartbeat(runtime(receiver, { activeAt: longAgo }), now)).toEqual({ lastAt: new Date(now - 60_000).toISOString(), stale: false });
      receiver.pollingEveryS = 10;
      expect(await heartbeat(runtime(receiver, { activeAt: longAgo }), now)).toBeUndefined(); // polling: no webhook to hear it
    } finally {
      await receiver.close();
    }
  });
});
