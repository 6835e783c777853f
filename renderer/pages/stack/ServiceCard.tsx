// One service's card in the Stack view: state and readiness, uptime, restarts, where it is
// reached, its image, replicas and config version; why the last Start skipped it, its last log
// lines, on Swarm its tasks and Scale, else Start / Stop / Restart of that service alone.
import { useEffect, useState } from 'react';
import type { ServiceStatus, VitalsPoint } from '../../../main/contract';
import { Sparkline } from '../../components/Sparkline';
import { formatBytes as bytes, since } from '../../lib/format';

export type ServiceAction = 'up' | 'stop' | 'restart';

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

export interface ServiceCardProps {
  s: ServiceStatus;
  now: number;
  onSwarm: boolean;
  /** Engine gone or the stack busy: every button off. */
  disabled: boolean;
  onScale: (replicas: number) => void;
  onAction: (what: ServiceAction) => void;
  /** Its last 15 minutes of CPU, memory and I/O, while it runs (on Swarm, its tasks' here summed). */
  vitals?: { points: VitalsPoint[]; tasks: number } | undefined;
}

/** CPU and memory now, and a sparkline of the CPU over the last minutes; on Swarm, of how many tasks. */
function Vitals({ service, points, tasks, running }: { service: string; points: VitalsPoint[]; tasks: number; running?: number | undefined }) {
  const last = points.at(-1)!;
  const elsewhere = running !== undefined && tasks > 0 ? running - tasks : 0;
  const cpu = points.map((p) => p.cpuPercent).filter((v): v is number => v !== undefined);
  return (
    <div className="vitals" aria-label={`vitals of ${service}`} data-cpu={last.cpuPercent?.toFixed(2) ?? ''} data-memory={last.memoryBytes}>
      <span>CPU {last.cpuPercent === undefined ? '…' : `${last.cpuPercent.toFixed(1)}%`}</span>
      <Sparkline values={cpu} label={`CPU of ${service}, last ${Math.round((last.at - points[0]!.at) / 60_000) || 1} min`} max={5} />
      <span>mem {bytes(last.memoryBytes)}{last.memoryLimitBytes > 0 && last.memoryLimitBytes < 2 ** 60 ? ` of ${bytes(last.memoryLimitBytes)}` : ''}</span>
      <span className="muted">net ↓{bytes(last.netRxBytes)} ↑{bytes(last.netTxBytes)}</span>
      {tasks > 0 && <span className="muted" aria-label="vitals tasks">{tasks} task{tasks === 1 ? '' : 's'} on this engine{elsewhere > 0 ? `; ${elsewhere} on other nodes, out of reach of its stats` : ''}</span>}
    </div>
  );
}

export function ServiceCard({ s, now, onSwarm, disabled, onScale, onAction, vitals }: ServiceCardProps) {
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
      {s.state === 'running' && vitals && vitals.points.length > 0 && <Vitals service={s.service} points={vitals.points} tasks={vitals.tasks} running={s.replicas?.running} />}
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
        s.replicas && <Scale service={s.service} current={s.replicas.desired} disabled={disabled} onScale={onScale} />
      ) : <div className="actions">
        <button type="button" disabled={disabled || s.state === 'running'} onClick={() => onAction('up')}>Start</button>
        <button type="button" disabled={disabled || s.state !== 'running'} onClick={() => onAction('stop')}>Stop</button>
        <button type="button" disabled={disabled || s.state !== 'running'} onClick={() => onAction('restart')}>Restart</button>
      </div>}
    </article>
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
