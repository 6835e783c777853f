// One service's status from its container: state, readiness (its HTTP probe), restarts, the
// ports it publishes and where it is reached, image (and the upstream a stand-in replaces),
// the config version it holds, and its last log lines when it stopped or restarts.
import type Docker from 'dockerode';
import { filesIn } from '../engine/run-tool.js';
import { serviceBase, type ServiceSpec } from './compose.js';
import { configVersion, versionedTargets } from './config-version.js';
import { lastLines } from './logs.js';
import type { ServiceStatus } from '../contract.js';

/** What a service's status reads of the stack (stack.ts's Stack is one). */
export interface StatusView {
  readonly docker: Docker;
  readonly probeHost?: string | undefined;
  /** The config version copied into each container, by container id. */
  readonly versions: Map<string, string>;
  bounded<T>(what: string, work: Promise<T>): Promise<T>;
  probe(s: ServiceSpec, state?: string): Promise<boolean>;
}

export async function serviceStatus(stack: StatusView, s: ServiceSpec, info?: Docker.ContainerInfo): Promise<ServiceStatus> {
  if (!info) return { service: s.name, state: 'missing', ready: false, restartCount: 0, ports: [], image: s.image, ...(s.standInFor ? { standInFor: s.standInFor } : {}) };
  const c = stack.docker.getContainer(info.Id);
  const detail = await stack.bounded(`inspecting ${s.name}`, c.inspect());
  const st = detail.State;
  const state = st.Restarting ? 'restarting' : st.Status;
  const startedAt = st.StartedAt && !st.StartedAt.startsWith('0001') ? st.StartedAt : undefined;
  const status: ServiceStatus = {
    service: s.name,
    state,
    ready: state === 'running' && (await stack.probe(s, state)),
    restartCount: detail.RestartCount,
    // From the inspect just made: the listing may predate the start, when nothing was published yet.
    ports: Object.entries(detail.NetworkSettings.Ports ?? {}).flatMap(([key, bindings]) => (bindings ?? []).map((b) => ({ host: b.HostIp, hostPort: Number(b.HostPort), containerPort: parseInt(key, 10) }))),
    image: detail.Config.Image,
    containerId: info.Id,
    ...(s.standInFor ? { standInFor: s.standInFor } : {}),
  };
  const version = await versionIn(stack, c, s);
  if (version) status.configVersion = version;
  const url = state === 'running' ? serviceBase(s, stack.probeHost) : undefined;
  if (url) status.url = url;
  if (st.Health?.Status) status.health = st.Health.Status;
  if (startedAt) status.startedAt = startedAt;
  if (startedAt && state === 'running') status.uptimeSeconds = Math.max(0, Math.round((Date.now() - Date.parse(startedAt)) / 1000));
  if (state !== 'running' && state !== 'created') status.exitCode = st.ExitCode;
  if (state === 'exited' || state === 'dead' || state === 'restarting' || (detail.RestartCount > 0 && state === 'running' && (status.uptimeSeconds ?? 0) < 60)) {
    status.lastLogs = await lastLines(c, 10);
  }
  return status;
}

/**
 * The config version a container holds: remembered from the copy, or (a container this
 * process did not fill: the app restarted) read from the container once.
 */
async function versionIn(stack: StatusView, c: Docker.Container, s: ServiceSpec): Promise<string | undefined> {
  const known = stack.versions.get(c.id);
  if (known) return known;
  const targets = [...versionedTargets(s).keys()];
  if (!targets.length) return undefined;
  const files = await stack.bounded(`reading ${s.name}'s configs`, filesIn(c, targets)).catch(() => undefined);
  const version = files && configVersion(s, files);
  if (version) stack.versions.set(c.id, version);
  return version;
}
