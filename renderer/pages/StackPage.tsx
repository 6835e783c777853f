// The Stack view: the engine, a card per service (state, readiness, uptime, restarts, ports,
// image, and per-service actions), Start/Stop for the whole stack, and the start-up as one
// visible sequence of steps. Live from the Node side's events; nothing to refresh by hand.
import { useEffect, useMemo, useRef, useState } from 'react';
import type { Replies, ServiceStatus, StackEvent } from '../../main/contract';
import { useAction } from '../client/useRequest';
import { ImagesPanel } from '../components/ImagesPanel';
import { TrafficPanel } from '../components/TrafficPanel';
import { since } from '../lib/format';
import { useClient, useSnapshot } from '../state/app';

function uptime(s: ServiceStatus, now: number): string {
  return s.state === 'running' ? since(s.startedAt, now) : '';
}

function stateLabel(s: ServiceStatus): { text: string; tone: 'good' | 'warn' | 'bad' | 'idle' } {
  if (s.state === 'running' && s.ready) return { text: 'ready', tone: 'good' };
  if (s.state === 'running') return { text: 'starting', tone: 'warn' };
  if (s.state === 'restarting') return { text: 'restarting', tone: 'bad' };
  if (s.state === 'missing') return { text: 'not created', tone: 'idle' };
  if (s.state === 'exited' && s.exitCode && s.exitCode !== 0 && s.exitCode !== 143) return { text: `exited (${s.exitCode})`, tone: 'bad' };
  if (s.state === 'unknown') return { text: 'unknown', tone: 'bad' };
  return { text: s.state, tone: 'idle' };
}

export function StackPage(): React.JSX.Element {
  const client = useClient();
  const { snap, error: snapError } = useSnapshot();
  const [steps, setSteps] = useState<StackEvent[]>([]);
  const action = useAction();
  const error = action.error ?? snapError;
  const [now, setNow] = useState(Date.now());
  const stepsEnd = useRef<HTMLLIElement>(null);
  // Keep the newest step in view as the sequence grows.
  useEffect(() => {
    stepsEnd.current?.scrollIntoView({ block: 'nearest' });
  }, [steps]);

  useEffect(() => {
    const offProgress = client.on('stack:progress', (e) => {
      if (e.state === 'progress' && !e.progress) return;
      setSteps((list) => [...list.filter((x) => !(e.state === 'progress' && x.state === 'progress' && x.service === e.service && x.step === e.step)), e].slice(-200));
    });
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => {
      offProgress();
      clearInterval(timer);
    };
  }, [client]);

  const run = (what: () => Promise<unknown>, clearSteps = true) => {
    if (clearSteps) setSteps([]);
    void action.run('stack', what);
  };

  const busy = snap?.busy;
  const engineUp = snap?.engine.reachable === true;
  const anyRunning = useMemo(() => snap?.services.some((s) => s.state === 'running' || s.state === 'restarting') ?? false, [snap]);

  return (
    <section aria-label="Stack" className="stack-view">
      <div className="toolbar">
        <button type="button" className="primary" disabled={!engineUp || busy !== undefined} onClick={() => run(() => client.request('stack:up', {}))}>
          {busy === 'up' ? 'Starting…' : 'Start'}
        </button>
        <button type="button" disabled={!engineUp || busy !== undefined || !anyRunning} onClick={() => run(() => client.request('stack:down', {}))}>
          {busy === 'down' ? 'Stopping…' : 'Stop'}
        </button>
        <span className="engine" aria-label="Docker engine">
          {!snap && 'Connecting…'}
          {snap?.engine.reachable === true && (
            <span className="good">Docker {snap.engine.version} (API {snap.engine.apiVersion}, {snap.engine.os}/{snap.engine.arch}) at <code>{snap.engine.endpoint}</code></span>
          )}
          {snap?.engine.reachable === false && <span className="bad">No Docker engine</span>}
        </span>
      </div>

      {snap?.engine.reachable === false && (
        <div role="alert" className="card callout">
          <p className="bad">No Docker engine is reachable.</p>
          <p>{snap.engine.hint}</p>
          {snap.engine.tried.length > 0 && (
            <ul>{snap.engine.tried.map((t) => <li key={t.endpoint}><code>{t.endpoint}</code>: {t.error}</li>)}</ul>
          )}
        </div>
      )}

      {error && (
        <div role="alert" className="card callout" data-code={error.code}>
          <p className="bad">{error.code === 'PORT_IN_USE' ? 'A port the stack needs is taken' : error.code === 'IMAGE_MISSING' ? 'An image is missing' : 'That did not work'}</p>
          <p>{error.message}</p>
          {error.details.length > 0 && error.code === 'SERVICE_FAILED' && <pre className="logs">{error.details.join('\n')}</pre>}
        </div>
      )}

      <div className="services">
        {snap?.services.map((s) => {
          const label = stateLabel(s);
          return (
            <article key={s.service} className={`card service ${label.tone}`} aria-label={`service ${s.service}`} data-state={s.state} data-ready={String(s.ready)}>
              <header>
                <h3>{s.service}</h3>
                <span className={`badge ${label.tone}`} aria-label="state">{label.text}</span>
              </header>
              <dl>
                <dt>Uptime</dt><dd>{uptime(s, now) || '—'}</dd>
                <dt>Restarts</dt><dd aria-label="restarts">{s.restartCount}</dd>
                <dt>Ports</dt>
                <dd>{s.url ? <a href={`${s.url}/`} target="_blank" rel="noreferrer">{s.url.replace(/^http:\/\//, '')}</a> : s.ports.length ? s.ports.map((p) => p.hostPort).join(', ') : '—'}</dd>
                <dt>Image</dt><dd><code>{s.image || '—'}</code></dd>
                {s.configVersion && <><dt>Config</dt><dd aria-label="config version" title="A hash of the config files in the container; the Config view's history says which applied version it is"><code>{s.configVersion}</code></dd></>}
              </dl>
              {s.standInFor && <p className="muted" aria-label="stand-in">offline: using stand-in {s.image} for {s.standInFor}</p>}
              {s.unavailable && (
                <div className="bad" aria-label="unavailable">
                  <p>{s.unavailable.why}</p>
                  <details><summary>details</summary><pre className="logs">{s.unavailable.details}</pre></details>
                </div>
              )}
              {s.lastLogs && s.lastLogs.length > 0 && s.state !== 'unknown' && <pre className="logs" aria-label="last log lines">{s.lastLogs.slice(-5).join('\n')}</pre>}
              <div className="actions">
                <button type="button" disabled={!engineUp || busy !== undefined || s.state === 'running'} onClick={() => run(() => client.request('stack:up', { services: [s.service] }))}>Start</button>
                <button type="button" disabled={!engineUp || busy !== undefined || s.state !== 'running'} onClick={() => run(() => client.request('stack:stop', { services: [s.service] }), false)}>Stop</button>
                <button type="button" disabled={!engineUp || busy !== undefined || s.state !== 'running'} onClick={() => run(() => client.request('stack:restart', { services: [s.service] }))}>Restart</button>
              </div>
            </article>
          );
        })}
      </div>

      {steps.length > 0 && (
        <section className="card steps" aria-label="Progress">
          <h2>{busy === 'up' ? 'Starting the stack' : busy === 'down' ? 'Stopping the stack' : 'Last run'}</h2>
          <ol>
            {steps.map((e, i) => (
              <li key={i} className={e.state} ref={i === steps.length - 1 ? stepsEnd : undefined}>
                <span className="mark">{{ started: '…', progress: '…', done: '✓', skipped: '·', failed: '✗' }[e.state]}</span>{' '}
                {e.message}{e.progress ? ` ${Math.round((e.progress.current / Math.max(1, e.progress.total)) * 100)}%` : ''}
              </li>
            ))}
          </ol>
        </section>
      )}
      <ImagesPanel engineUp={engineUp} busy={busy !== undefined} />
      <Credentials />
      <TrafficPanel canRun={!!snap?.services.find((s) => s.service === 'api_poc3' && s.state === 'running' && s.ready)} />
    </section>
  );
}

/**
 * Where the stack's own UIs are and what opens them: Prometheus and Alertmanager take only the
 * stack's user (anything on this machine reaches their ports), Grafana its admin.
 */
function Credentials() {
  const client = useClient();
  const { snap } = useSnapshot();
  const creds = useAction();
  const [shown, setShown] = useState<Replies['stack:credentials'] | undefined>();
  const [copied, setCopied] = useState<string | undefined>();
  const url = (name: string) => snap?.services.find((s) => s.service === name)?.url;
  const copy = (what: string, text: string) => void navigator.clipboard.writeText(text).then(() => setCopied(what), () => setCopied(undefined));
  return (
    <section className="card credentials" aria-label="Credentials">
      <h2>Opening the stack's own UIs</h2>
      <p>
        Prometheus{url('prometheus') ? <> (<a href={`${url('prometheus')}/`} target="_blank" rel="noreferrer">{url('prometheus')}</a>)</> : ''} and Alertmanager
        {url('alertmanager') ? <> (<a href={`${url('alertmanager')}/`} target="_blank" rel="noreferrer">{url('alertmanager')}</a>)</> : ''} answer only
        the stack's user, generated for this install; Grafana its admin.
      </p>
      {!shown && <button type="button" onClick={() => void creds.run('credentials', () => client.request('stack:credentials', {})).then(setShown)}>Show the user and passwords</button>}
      {shown && (
        <dl>
          <dt>Prometheus, Alertmanager</dt>
          <dd>user <code>{shown.username}</code> <button type="button" onClick={() => copy('stack', shown.password)}>{copied === 'stack' ? 'Password copied' : 'Copy password'}</button></dd>
          <dt>Grafana</dt>
          <dd>user <code>{shown.grafana.username}</code> <button type="button" onClick={() => copy('grafana', shown.grafana.password)}>{copied === 'grafana' ? 'Password copied' : 'Copy password'}</button></dd>
        </dl>
      )}
      {creds.error && <p role="alert" className="bad">{creds.error.message}</p>}
    </section>
  );
}
