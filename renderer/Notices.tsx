// Alertmanager's notifications, live on the page: a firing alert stays on screen until it
// resolves or is silenced, a resolved one shows for a moment, and the tab's title counts what
// fires. In a browser (obsdeck serve) the user may also turn on the browser's own notifications;
// in the desktop window the main process raises native ones.
import { useEffect, useState } from 'react';
import type { AlertNotice, ContractClient } from '../main/contract';

const RESOLVED_SHOWN_MS = 10_000;
const TITLE = 'Obsdeck';

export function Notices({ client, openAlerts }: { client: ContractClient; openAlerts: () => void }) {
  const [firing, setFiring] = useState<AlertNotice[]>([]);
  const [ended, setEnded] = useState<AlertNotice[]>([]);
  /** Firing alerts the user put away: still counted in the title, no longer on screen. */
  const [dismissed, setDismissed] = useState<Set<string>>(new Set());
  const inBrowser = !(window as unknown as { obsdeck?: unknown }).obsdeck && typeof Notification !== 'undefined';
  const [permission, setPermission] = useState(inBrowser ? Notification.permission : 'denied');

  useEffect(() => {
    client.request('alerts:notices', {}).then((s) => setFiring(s.firing), () => undefined);
    return client.on('alerts:notice', (n) => {
      if (n.status === 'firing') {
        setFiring((list) => [...list.filter((x) => x.fingerprint !== n.fingerprint), n]);
        if (inBrowser && Notification.permission === 'granted') new Notification(`Alert: ${n.alertname}`, { body: n.summary ?? '', tag: n.fingerprint });
        return;
      }
      setFiring((list) => list.filter((x) => x.fingerprint !== n.fingerprint));
      setEnded((list) => [n, ...list.filter((x) => x.fingerprint !== n.fingerprint)].slice(0, 5));
      setTimeout(() => setEnded((list) => list.filter((x) => x !== n)), RESOLVED_SHOWN_MS);
    });
  }, [client, inBrowser]);

  useEffect(() => {
    document.title = firing.length ? `(${firing.length}) ${TITLE}` : TITLE;
  }, [firing.length]);

  return (
    <>
      {inBrowser && permission === 'default' && (
        <button type="button" className="link notify-permission" onClick={() => void Notification.requestPermission().then(setPermission)}>Notify me of alerts</button>
      )}
      <aside className="notices" aria-label="Alert notifications" aria-live="polite">
        {firing.filter((n) => !dismissed.has(n.fingerprint)).map((n) => (
          <div key={n.fingerprint} role="status" className={`notice ${n.severity === 'critical' ? 'critical' : 'warning'}`} data-alert={n.alertname} data-status="firing">
            <strong>{n.alertname}</strong> firing{n.summary ? `: ${n.summary}` : ''}
            <button type="button" className="link" onClick={openAlerts}>Alerts</button>
            <button type="button" className="link" aria-label={`dismiss ${n.alertname}`} title="Hide this notice (the alert still counts until it resolves)" onClick={() => setDismissed((d) => new Set(d).add(n.fingerprint))}>×</button>
          </div>
        ))}
        {ended.map((n) => (
          <div key={`${n.fingerprint}-${n.status}`} role="status" className="notice ended" data-alert={n.alertname} data-status={n.status}>
            <strong>{n.alertname}</strong> {n.status}
          </div>
        ))}
      </aside>
    </>
  );
}
