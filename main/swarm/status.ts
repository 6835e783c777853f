// What runs of the stack on Swarm: each service's replicas and tasks (what `docker service ps`
// shows), and the same as the contract's service status, for the Stack view and `obsdeck status`.
import type { ServiceStatus } from '../contract.js';
import { serviceBase, type ServiceSpec } from '../stack/compose.js';
import type Docker from 'dockerode';
import type { StackSpec } from '../stack/compose.js';

/** What the status reads of the Swarm target (swarm.ts's SwarmStack is one). */
export interface SwarmView {
  readonly docker: Docker;
  readonly spec: StackSpec;
  readonly local: { probe(s: ServiceSpec, state?: string, ours?: boolean): Promise<boolean> };
  serviceName(name: string): string;
  services(): Promise<Map<string, { Spec?: { Mode?: { Replicated?: { Replicas?: number } }; TaskTemplate?: { ContainerSpec?: { Image?: string } } } }>>;
}

export interface TaskInfo {
  id: string;
  /** As `docker service ps` names it: api_poc3.2. */
  name: string;
  slot?: number;
  state: string;
  desiredState: string;
  node: string;
  since: string;
  error?: string;
  containerId?: string;
  /** The task's addresses on the stack's network (what Prometheus discovers). */
  addresses: string[];
}

export interface SwarmServiceStatus {
  service: string;
  image: string;
  replicas: { running: number; desired: number };
  tasks: TaskInfo[];
  ready: boolean;
  url?: string;
}

/** Each of `swarm`'s services: replicas (running/desired) and its tasks, newest first. */
export async function readStatus(swarm: SwarmView, ours = false): Promise<SwarmServiceStatus[]> {
    const services = await swarm.services();
    const nodes = new Map((await swarm.docker.listNodes().catch(() => [])).map((n: { ID: string; Description?: { Hostname?: string } }) => [n.ID, n.Description?.Hostname ?? n.ID.slice(0, 12)]));
    const out: SwarmServiceStatus[] = [];
    for (const s of swarm.spec.services) {
      const svc = services.get(s.name);
      if (!svc) continue;
      const tasks = (await swarm.docker.listTasks({ filters: { service: [swarm.serviceName(s.name)] } })) as {
        ID: string; Slot?: number; DesiredState: string; NodeID?: string; UpdatedAt: string;
        Status: { State: string; Err?: string; Timestamp: string; ContainerStatus?: { ContainerID?: string } };
        NetworksAttachments?: { Addresses?: string[] }[];
      }[];
      const infos: TaskInfo[] = tasks
        .sort((a, b) => b.Status.Timestamp.localeCompare(a.Status.Timestamp))
        .map((t) => ({
          id: t.ID,
          name: `${s.name}.${t.Slot ?? t.ID.slice(0, 6)}`,
          ...(t.Slot ? { slot: t.Slot } : {}),
          state: t.Status.State,
          desiredState: t.DesiredState,
          node: t.NodeID ? nodes.get(t.NodeID) ?? t.NodeID.slice(0, 12) : '',
          since: t.Status.Timestamp,
          ...(t.Status.Err ? { error: t.Status.Err } : {}),
          ...(t.Status.ContainerStatus?.ContainerID ? { containerId: t.Status.ContainerStatus.ContainerID } : {}),
          addresses: (t.NetworksAttachments ?? []).flatMap((n) => (n.Addresses ?? []).map((a) => a.split('/')[0]!)),
        }));
      const desired = svc.Spec?.Mode?.Replicated?.Replicas ?? 0;
      const running = infos.filter((t) => t.desiredState === 'running' && t.state === 'running').length;
      const url = serviceBase(s);
      out.push({
        service: s.name,
        image: svc.Spec?.TaskTemplate?.ContainerSpec?.Image?.split('@')[0] ?? s.image,
        replicas: { running, desired },
        tasks: infos,
        ready: running > 0 && (await swarm.local.probe(s, 'running', ours)),
        ...(url ? { url } : {}),
      });
    }
    return out;
  }

/**
 * The contract's status of each of `names` on Swarm: running while a replica runs, `starting`
 * while replicas are wanted but none runs, `scaled to 0`, or `missing`. Ports are the gateway's
 * (the compose file's, on 127.0.0.1).
 */
export function serviceStatuses(services: ServiceSpec[], names: string[], statuses: SwarmServiceStatus[]): ServiceStatus[] {
  const byName = new Map(statuses.map((x) => [x.service, x]));
  return names.map((name) => {
    const x = byName.get(name);
    if (!x) return { service: name, state: 'missing', ready: false, restartCount: 0, ports: [], image: '' };
    const state = x.replicas.running > 0 ? 'running' : x.replicas.desired > 0 ? 'starting' : 'scaled to 0';
    const ports = (services.find((s) => s.name === name)?.ports ?? []).map((p) => ({ host: '127.0.0.1', hostPort: p.hostPort, containerPort: p.containerPort }));
    const tasks = x.tasks.slice(0, 20).map((t) => ({ name: t.name, state: t.state, desiredState: t.desiredState, node: t.node, since: t.since, addresses: t.addresses, ...(t.error ? { error: t.error } : {}) }));
    // Uptime: since its longest-running replica started.
    const oldest = x.tasks.filter((t) => t.state === 'running' && t.desiredState === 'running').map((t) => t.since).sort()[0];
    return { service: name, state, ready: x.ready, restartCount: 0, ports, image: x.image, replicas: x.replicas, tasks, ...(oldest ? { startedAt: oldest } : {}), ...(x.url ? { url: x.url } : {}) };
  });
}
