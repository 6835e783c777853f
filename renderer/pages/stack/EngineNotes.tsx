// What the Stack view says about the engine beyond its name: a tcp:// engine whose ports are not
// forwarded here, an ssh:// one whose ports are, or no engine at all (what was tried, what to do).
import type { EngineStatus } from '../../../main/contract';

export function EngineNotes({ engine }: { engine: EngineStatus | undefined }) {
  return (
    <>
      {engine?.reachable === true && engine.endpoint.startsWith('tcp://') && (
        <div role="status" className="card callout" aria-label="Remote engine">
          <p className="warn">This engine is reached over tcp://, and Obsdeck forwards no ports from it.</p>
          <p>Start creates the containers there, but readiness, targets, charts, alerts, traffic and Grafana look for the services on this machine&apos;s 127.0.0.1 and will not find them. Use <code>DOCKER_HOST=ssh://user@host</code> instead: the ports are then forwarded here.</p>
        </div>
      )}
      {engine?.reachable === true && engine.endpoint.startsWith('ssh://') && (
        <p className="muted" aria-label="Remote engine">The engine is on another machine: each service&apos;s port is forwarded over SSH to this machine&apos;s 127.0.0.1, at the same number where it is free here (the cards show where each is reached).</p>
      )}

      {engine?.reachable === false && (
        <div role="alert" className="card callout">
          <p className="bad">No Docker engine is reachable.</p>
          <p>{engine.hint}</p>
          {engine.tried.length > 0 && (
            <ul>{engine.tried.map((t) => <li key={t.endpoint}><code>{t.endpoint}</code>: {t.error}</li>)}</ul>
          )}
        </div>
      )}
    </>
  );
}
