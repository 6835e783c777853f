// The alert path's health, always on at the top of the Alerts view: where Alertmanager's
// notifications go, whether the engine's host.docker.internal and a request from the stack's
// network land on the app's receiver, and Alertmanager's own delivery counters. A red line
// (role=alert) while any hop fails, naming it and saying why in Alertmanager's or the engine's words.
import type { AlertsSnapshot } from '../../../main/contract';

type Receiver = NonNullable<AlertsSnapshot['receiver']>;

/** The one line that says whether notifications reach the app, and why not. */
export function pathProblem(r: Receiver): string | undefined {
  if (r.pollingEveryS) return undefined;
  if (!r.listening) return `Notifications are off: ${r.error ?? 'the receiver starts with the Docker engine'}.`;
  if (r.path?.problem) return `Alertmanager's notifications do not reach Obsdeck: ${r.path.problem}.`;
  if (r.heartbeat?.stale) {
    return `The alert path is down: the Watchdog's heartbeat has not arrived ${r.heartbeat.lastAt ? `since ${new Date(r.heartbeat.lastAt).toLocaleTimeString()}` : 'since the app began listening'} (Alertmanager repeats it every minute).`;
  }
  const broken = r.pipeline?.find((h) => !h.ok && h.hop !== 'Alertmanager → Obsdeck');
  if (broken) return `The alert path is broken at ${broken.hop}: ${broken.message}.`;
  if (r.delivery?.failing) {
    return `Alertmanager cannot deliver to Obsdeck (${r.delivery.failed} of ${r.delivery.sent} webhook notifications failed): ${r.delivery.lastError?.message ?? 'no error logged'}.`;
  }
  return undefined;
}

export function AlertPathStatus({ receiver }: { receiver: Receiver }) {
  const problem = pathProblem(receiver);
  if (receiver.pollingEveryS) {
    return (
      <p className="muted" aria-label="Webhook receiver">
        Alertmanager cannot reach a webhook here (an engine on another machine, or an address the app cannot listen on): Obsdeck asks it for its alerts every {receiver.pollingEveryS} s instead.
        {receiver.path?.problem ? ` ${receiver.path.problem}.` : ''}
      </p>
    );
  }
  if (problem) {
    return (
      <div role="alert" className="card callout" aria-label="Webhook receiver">
        <p className="bad">{problem}</p>
        {receiver.delivery?.lastError && <p className="muted">Last failure at {receiver.delivery.lastError.at}.</p>}
      </div>
    );
  }
  const proven = receiver.path?.reached ? `; a request from the stack's network reached it at ${new Date(receiver.path.checkedAt).toLocaleTimeString()}` : '';
  const counted = receiver.delivery ? ` Alertmanager has sent ${receiver.delivery.sent} webhook notifications, ${receiver.delivery.failed} failed.` : '';
  const beat = receiver.heartbeat?.lastAt ? ` Heartbeat at ${new Date(receiver.heartbeat.lastAt).toLocaleTimeString()}.` : '';
  return (
    <p className="muted" aria-label="Webhook receiver">
      Alertmanager's notifications reach Obsdeck at {receiver.listening}{proven}.{counted}{beat}
    </p>
  );
}
