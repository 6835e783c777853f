// The Alerts view: Prometheus' firing and pending alerts, grouped by name, with labels,
// annotations, active since and value; silence one from its labels (with a preview of what the
// silence would cover) and expire silences. Refreshed every 5 s.
import { useState } from 'react';
import type { AlertInfo } from '../../main/contract';
import { useAction, useRequest } from '../client/useRequest';
import type { PageProps } from '../lib/route';
import { AlertPathStatus } from './alerts/AlertPathStatus';
import { AlertPathTest } from './alerts/AlertPathTest';
import { BacktestPanel, type BacktestTarget } from './alerts/Backtest';
import { RoutingPanel } from './alerts/Routing';
import { AlertHistoryPanel } from './alerts/History';
import { AlertCard, NewSilence, NotificationGroups, Silences, type SilenceDraft } from './alerts/AlertParts';

export { covers } from './alerts/AlertParts';
import { useClient } from '../state/app';

export function AlertsPage({ go }: PageProps) {
  const client = useClient();
  const list = useRequest('alerts:list', {}, { everyMs: 5000 });
  const snap = list.data;
  const receiver = snap?.receiver;
  const action = useAction();
  const error = action.error ?? list.error;
  const now = list.at ?? Date.now();
  const [draft, setDraft] = useState<SilenceDraft | undefined>();
  const [backtest, setBacktest] = useState<BacktestTarget | undefined>();
  const [routeLabels, setRouteLabels] = useState<Record<string, string> | undefined>();
  const route = (labels: Record<string, string>) => {
    setRouteLabels(labels);
    setTimeout(() => document.querySelector('[aria-label=Routing]')?.scrollIntoView({ block: 'start' }), 0);
  };
  const explore = (q: string) => go({ view: 'explore', params: { q, tab: 'graph', range: '1h' } });
  const openLogs = (service: string, from: string) => go({ view: 'logs', params: { services: service, since: from } });

  const active = (snap?.alerts ?? []).filter((a) => a.state !== 'inactive');
  const groups = [...new Set(active.map((a) => a.name))].sort();

  const startSilence = (alert: AlertInfo) => setDraft({
    alert,
    matchers: Object.entries(alert.labels).filter(([k]) => k !== '__name__').map(([name, value]) => ({ name, value, isRegex: false })),
    minutes: 60,
    comment: '',
  });

  return (
    <section aria-label="Alerts" className="alerts-view">
      {error && (
        <div role="alert" className="card callout" data-code={error.code}>
          <p className="bad">{error.code === 'PROMETHEUS_UNREACHABLE' ? 'Prometheus does not answer' : error.code === 'ALERTMANAGER_UNREACHABLE' ? 'Alertmanager does not answer' : 'That did not work'}</p>
          <p>{error.message}</p>
        </div>
      )}
      {!snap && !error && <p>Loading alerts…</p>}
      {snap && !snap.alertmanager && <p role="status" className="bad">Alertmanager does not answer: silences cannot be shown or made.</p>}
      {receiver && <AlertPathStatus receiver={receiver} />}
      <AlertPathTest disabled={!snap?.alertmanager} />
      {receiver?.refused && (
        <p role="status" className="warn" aria-label="Refused notifications">
          The receiver turned away {receiver.refused.count} {receiver.refused.count === 1 ? 'request' : 'requests'}; the last, at {new Date(receiver.refused.at).toLocaleTimeString()}: {receiver.refused.last}.
        </p>
      )}
      {snap && active.length === 0 && <p className="muted">Nothing is firing or pending.</p>}
      {groups.map((name) => (
        <section key={name} className="card alert-group" aria-label={`alert ${name}`}>
          <h2>{name} <span className="muted">({active.filter((a) => a.name === name).length})</span></h2>
          {active.filter((a) => a.name === name).map((a, i) => (
            <AlertCard key={i} a={a} now={now} canSilence={!!snap?.alertmanager} onSilence={startSilence} onRoute={route} explore={explore} openLogs={openLogs} />
          ))}
        </section>
      ))}

      {snap && snap.rules.length > 0 && (
        <section className="card" aria-label="Alerting rules">
          <h2>Rules</h2>
          <p className="muted">Backtest a rule: evaluate it over the past hours of this Prometheus and see when it would have fired, beside what it did.</p>
          <ul className="rule-list">
            {snap.rules.map((r) => (
              <li key={`${r.group}/${r.name}`} data-state={r.state}>
                <strong>{r.name}</strong> <span className="muted">({r.group}{r.forS ? `, for ${r.forS}s` : ''}) {r.state !== 'inactive' ? r.state : ''}</span>{' '}
                <button type="button" aria-label={`Backtest ${r.name}`} onClick={() => setBacktest({ name: r.name, group: r.group })}>Backtest</button>
              </li>
            ))}
          </ul>
        </section>
      )}
      <AlertHistoryPanel />
      {backtest?.name && <BacktestPanel target={backtest} title={backtest.name} onClose={() => setBacktest(undefined)} onRoute={route} />}

      {draft && <NewSilence draft={draft} setDraft={setDraft} active={active} onCreate={() => {
        void action.run('silence', async () => {
          await client.request('silences:create', { matchers: draft.matchers, minutes: draft.minutes, comment: draft.comment.trim() });
          setDraft(undefined);
          list.refetch();
        });
      }} />}
      {snap && snap.groups.length > 0 && <NotificationGroups groups={snap.groups} />}
      {snap && <RoutingPanel {...(routeLabels ? { labels: routeLabels } : {})} />}
      {snap && snap.silences.some((s) => s.state !== 'expired') && <Silences silences={snap.silences} onExpire={(id) => void action.run('expire', async () => {
        await client.request('silences:expire', { id });
        list.refetch();
      })} />}
    </section>
  );
}
