// The Stack view: the engine, a card per service (state, readiness, uptime, restarts, ports,
// image, and per-service actions), Start/Stop for the whole stack, and the start-up as one
// visible sequence of steps. Live from the Node side's events; nothing to refresh by hand.
import { useEffect, useMemo, useState } from 'react';
import { useAction } from '../client/useRequest';
import { ImagesPanel } from '../components/ImagesPanel';
import { TrafficPanel } from '../components/TrafficPanel';
import { Credentials } from './stack/Credentials';
import { EngineNotes } from './stack/EngineNotes';
import { ServiceCard } from './stack/ServiceCard';
import { Steps, useSteps } from './stack/Steps';
import { SwarmDialog } from './stack/SwarmDialog';
import { useClient, useSnapshot, useVitals } from '../state/app';
import { serviceVitals } from '../lib/vitals';

export function StackPage(): React.JSX.Element {
  const client = useClient();
  const { snap, error: snapError } = useSnapshot();
  const vitals = useVitals();
  const { steps, clear } = useSteps();
  const action = useAction();
  const error = action.error ?? snapError;
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);

  const run = (what: () => Promise<unknown>, clearSteps = true) => {
    if (clearSteps) clear();
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

      <EngineNotes engine={snap?.engine} />

      {swarmAsk && <SwarmDialog onConfirm={() => startOnSwarm(true)} onCancel={() => setSwarmAsk(false)} />}

      {error && (
        <div role="alert" className="card callout" data-code={error.code}>
          <p className="bad">{error.code === 'PORT_IN_USE' ? 'A port the stack needs is taken' : error.code === 'IMAGE_MISSING' ? 'An image is missing' : 'That did not work'}</p>
          <p>{error.message}</p>
          {error.details.length > 0 && error.code === 'SERVICE_FAILED' && <pre className="logs" tabIndex={0}>{error.details.join('\n')}</pre>}
        </div>
      )}

      <div className="services">
        {snap?.services.map((s) => (
          <ServiceCard key={s.service} s={s} now={now} onSwarm={onSwarm} disabled={!engineUp || busy !== undefined} vitals={serviceVitals(vitals.services, s.service)}
            onScale={(n) => run(() => client.request('stack:scale', { service: s.service, replicas: n }))}
            onAction={(what) => run(() => client.request(`stack:${what}`, { services: [s.service] }), what !== 'stop')} />
        ))}
      </div>

      <Steps steps={steps} busy={busy} />
      <ImagesPanel engineUp={engineUp} busy={busy !== undefined} />
      <Credentials />
      <TrafficPanel canRun={!!snap?.services.find((s) => s.service === 'api_poc3' && s.state === 'running' && s.ready)} />
    </section>
  );
}

