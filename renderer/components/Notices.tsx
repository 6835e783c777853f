// Alertmanager's notifications, live on the page: a firing alert stays on screen until it
// resolves or is silenced, a resolved one shows for a moment, and the tab's title counts what
// fires. In a browser (obsdeck serve) the user may also turn on the browser's own notifications;
// in the desktop window the main process raises native ones.
import { useEffect, useState } from 'react';
import { preloadBridge } from '../client/client';
import { useClient, useNotices } from '../state/app';

const TITLE = 'Obsdeck';

export function Notices({ openAlerts }: { openAlerts: () => void }) {
  const client = useClient();
  const { firing, ended } = useNotices();
  /** Firing alerts the user put away: still counted in the title, no longer on screen. */
  const [dismissed, setDismissed] = useState<Set<string>>(new Set());
  const inBrowser = !preloadBridge() && typeof Notification !== 'undefined';
  const [permission, setPermission] = useState(inBrowser ? Notification.permission : 'denied');

  useEffect(() => {
    // The list is the notices store's; only the browser's own notification is raised here.
    return client.on('alerts:notice', (n) => {
      if (n.status === 'firing' && inBrowser && Notification.permission === 'granted') new Notification(`Alert: ${n.alertname}`, { body: n.summary ?? '', tag: n.fingerprint });
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
