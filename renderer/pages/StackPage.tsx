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
  if (s.replicas) {
    const { running, desired } = s.replicas;
    if (running === desired && desired > 0 && s.ready) return { text: 'ready', tone: 'good' };
    if (desired === 0) return { text: 'scaled to 0', tone: 'idle' };
    return { text: running < desired ? 'converging' : 'starting', tone: 'warn' };
  }
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
  const onSwarm = snap?.target === 'swarm';
  const anyRunning = useMemo(() => onSwarm || (snap?.services.some((s) => s.state === 'running' || s.state === 'restarting') ?? false), [snap, onSwarm]);
  const [swarmAsk, setSwarmAsk] = useState(false);
  const [apiReplicas, setApiReplicas] = useState(3);
  const startOnSwarm = (init: boolean) => {
    setSwarmAsk(false);
    run(() => client.request('stack:up', { swarm: true, replicas: { api_poc3: apiReplicas }, ...(init ? { init: true } : {}) }));
  };

  return (
    <section aria-label="Stack" className="stack-view">
      <div className="toolbar">
        <button type="button" className="primary" disabled={!engineUp || busy !== undefined || onSwarm} title={onSwarm ? 'The stack runs on Swarm: Scale its services, or Stop it first' : undefined} onClick={() => run(() => client.request('stack:up', {}))}>
          {busy === 'up' ? 'Starting…' : 'Start'}
        </button>
        <button type="button" disabled={!engineUp || busy !== undefined || !anyRunning} onClick={() => run(() => client.request('stack:down', {}))}>
          {busy === 'down' ? 'Stopping…' : 'Stop'}
        </button>
        {engineUp && snap?.swarm !== undefined && snap.swarm !== 'worker' && !onSwarm && (
          <span className="swarm-start">
            <label>API replicas <input type="number" min={1} max={64} value={apiReplicas} onChange={(e) => setApiReplicas(Math.min(64, Math.max(1, Number(e.target.value) || 1)))} /></label>
            <button type="button" disabled={busy !== undefined || anyRunning} onClick={() => (snap.swarm === 'inactive' ? setSwarmAsk(true) : startOnSwarm(false))}>Start on Swarm</button>
          </span>
        )}
        {onSwarm && <span className="badge good" aria-label="target">on Swarm</span>}
        <span className="engine" aria-label="Docker engine">
          {!snap && 'Connecting…'}
          {snap?.engine.reachable === true && (
            <span className="good">Docker {snap.engine.version} (API {snap.engine.apiVersion}, {snap.engine.os}/{snap.engine.arch}) at <code>{snap.engine.endpoint}</code></span>
          )}
          {snap?.engine.reachable === false && <span className="bad">No Docker engine</span>}
        </span>
      </div>

      {snap?.engine.reachable === true && snap.engine.endpoint.startsWith('tcp://') && (
        <div role="status" className="card callout" aria-label="Remote engine">
          <p className="warn">This engine is reached over tcp://, and Obsdeck forwards no ports from it.</p>
          <p>Start creates the containers there, but readiness, targets, charts, alerts, traffic and Grafana look for the services on this machine&apos;s 127.0.0.1 and will not find them. Use <code>DOCKER_HOST=ssh://user@host</code> instead: the ports are then forwarded here.</p>
        </div>
      )}
      {snap?.engine.reachable === true && snap.engine.endpoint.startsWith('ssh://') && (
        <p className="muted" aria-label="Remote engine">The engine is on another machine: each service&apos;s port is forwarded over SSH to the same port on this machine&apos;s 127.0.0.1.</p>
      )}

      {snap?.engine.reachable === false && (
        <div role="alert" className="card callout">
          <p className="bad">No Docker engine is reachable.</p>
          <p>{snap.engine.hint}</p>
          {snap.engine.tried.length > 0 && (
            <ul>{snap.engine.tried.map((t) => <li key={t.endpoint}><code>{t.endpoint}</code>: {t.error}</li>)}</ul>
          )}
        </div>
      )}

      {swarmAsk && (
        <div role="dialog" aria-label="Make this engine a swarm" className="card callout">
          <p>This Docker engine is in no swarm. Start on Swarm makes it a single-node swarm first:</p>
          <ul>
            <li>it advertises 127.0.0.1 only, so no other machine can join;</li>
            <li>the engine keeps a <code>docker_gwbridge</code> network afterwards;</li>
            <li>plain containers keep working; <code>docker swarm leave --force</code> undoes it.</li>
          </ul>
          <div className="actions">
            <button type="button" className="primary" onClick={() => startOnSwarm(true)}>Make it a swarm and start</button>
            <button type="button" onClick={() => setSwarmAsk(false)}>Cancel</button>
          </div>
        </div>
      )}

      {error && (
        <div role="alert" className="card callout" data-code={error.code}>
          <p className="bad">{error.code === 'PORT_IN_USE' ? 'A port the stack needs is taken' : error.code === 'IMAGE_MISSING' ? 'An image is missing' : 'That did not work'}</p>
          <p>{error.message}</p>
          {error.details.length > 0 && error.code === 'SERVICE_FAILED' && <pre className="logs" tabIndex={0}>{error.details.join('\n')}</pre>}
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
                {s.replicas && <><dt>Replicas</dt><dd aria-label="replicas">{s.replicas.running}/{s.replicas.desired}</dd></>}
                {s.configVersion && <><dt>Config</dt><dd aria-label="config version" title="A hash of the config files in the container; the Config view's history says which applied version it is"><code>{s.configVersion}</code></dd></>}
              </dl>
              {s.standInFor && <p className="muted" aria-label="stand-in">offline: using stand-in {s.image} for {s.standInFor}</p>}
              {s.unavailable && (
                <div className="bad" aria-label="unavailable">
                  <p>{s.unavailable.why}</p>
                  <details><summary>details</summary><pre className="logs" tabIndex={0}>{s.unavailable.details}</pre></details>
                </div>
              )}
              {s.lastLogs && s.lastLogs.length > 0 && s.state !== 'unknown' && <pre className="logs" aria-label="last log lines" tabIndex={0}>{s.lastLogs.slice(-5).join('\n')}</pre>}
              {s.tasks && s.tasks.length > 0 && <Tasks s={s} now={now} />}
              {onSwarm ? (
                s.replicas && <Scale service={s.service} current={s.replicas.desired} disabled={!engineUp || busy !== undefined} onScale={(n) => run(() => client.request('stack:scale', { service: s.service, replicas: n }))} />
              ) : <div className="actions">
                <button type="button" disabled={!engineUp || busy !== undefined || s.state === 'running'} onClick={() => run(() => client.request('stack:up', { services: [s.service] }))}>Start</button>
                <button type="button" disabled={!engineUp || busy !== undefined || s.state !== 'running'} onClick={() => run(() => client.request('stack:stop', { services: [s.service] }), false)}>Stop</button>
                <button type="button" disabled={!engineUp || busy !== undefined || s.state !== 'running'} onClick={() => run(() => client.request('stack:restart', { services: [s.service] }))}>Restart</button>
              </div>}
            </article>
          );
        })}
      </div>

      {steps.length > 0 && (
        <section className="card steps" aria-label="Progress">
          <h2>{busy === 'up' ? 'Starting the stack' : busy === 'down' ? 'Stopping the stack' : busy === 'scale' ? 'Scaling' : 'Last run'}</h2>
          {/* Scrolls past 320 px: focusable, so a keyboard can scroll it too. */}
          <ol tabIndex={0} aria-label="Steps">
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

/** A Swarm service's tasks, newest first, as `docker service ps` lists them. */
function Tasks({ s, now }: { s: ServiceStatus; now: number }) {
  const shown = s.tasks!.filter((t) => t.desiredState === 'running' || t.error).slice(0, 8);
  return (
    <table className="tasks" aria-label={`tasks of ${s.service}`}>
      <thead><tr><th scope="col">Task</th><th scope="col">State</th><th scope="col">Node</th><th scope="col">Since</th></tr></thead>
      <tbody>
        {shown.map((t) => (
          <tr key={`${t.name}-${t.since}`} data-state={t.state} className={t.desiredState !== 'running' ? 'muted' : undefined}>
            <td><code>{t.name}</code></td>
            <td>{t.state}{t.desiredState !== 'running' ? ` → ${t.desiredState}` : ''}{t.error && <div className="bad">{t.error}</div>}</td>
            <td>{t.node}</td>
            <td>{since(t.since, now)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Scale({ service, current, disabled, onScale }: { service: string; current: number; disabled: boolean; onScale: (n: number) => void }) {
  const [n, setN] = useState(current);
  useEffect(() => setN(current), [current]);
  return (
    <form className="actions" aria-label={`scale ${service}`} onSubmit={(e) => { e.preventDefault(); onScale(n); }}>
      <label>Replicas <input type="number" min={0} max={64} value={n} onChange={(e) => setN(Math.min(64, Math.max(0, Number(e.target.value) || 0)))} /></label>
      <button type="submit" disabled={disabled || n === current}>Scale</button>
    </form>
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
