// Start on Swarm on an engine in no swarm: what making it a single-node swarm changes, asked first.
export function SwarmDialog({ onConfirm, onCancel }: { onConfirm: () => void; onCancel: () => void }) {
  return (

    <div role="dialog" aria-label="Make this engine a swarm" className="card callout">
      <p>This Docker engine is in no swarm. Start on Swarm makes it a single-node swarm first:</p>
      <ul>
        <li>it advertises 127.0.0.1 only, so no other machine can join;</li>
        <li>the engine keeps a <code>docker_gwbridge</code> network afterwards;</li>
        <li>plain containers keep working; <code>docker swarm leave --force</code> undoes it.</li>
      </ul>
      <div className="actions">
        <button type="button" className="primary" onClick={onConfirm}>Make it a swarm and start</button>
        <button type="button" onClick={onCancel}>Cancel</button>
      </div>
    </div>
  );
}
