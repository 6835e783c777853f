// What a service's container is created from, labelled as Compose labels it (so `docker
// compose ls` and `docker ps` show the stack as Compose would): image, command, environment,
// ports on the addresses the compose file names, named volumes, restart policy, network.
import path from 'node:path';
import type Docker from 'dockerode';
import type { ServiceSpec, StackSpec } from './compose.js';

export const LABEL = {
  project: 'com.docker.compose.project',
  service: 'com.docker.compose.service',
  number: 'com.docker.compose.container-number',
  oneoff: 'com.docker.compose.oneoff',
  configHash: 'com.docker.compose.config-hash',
  workingDir: 'com.docker.compose.project.working_dir',
  configFiles: 'com.docker.compose.project.config_files',
  dependsOn: 'com.docker.compose.depends_on',
  image: 'com.docker.compose.image',
  volume: 'com.docker.compose.volume',
  network: 'com.docker.compose.network',
  managedBy: 'org.obsdeck.managed-by',
} as const;

/** How the stack names its containers, networks and volumes. */
export interface Naming {
  spec: StackSpec;
  containerName(service: string): string;
  network(name: string): string;
  volume(name: string): string;
}

/** The definition a container is created from (Stack.configHash tells from it whether a container is current). */
export function containerDefinition(stack: Naming, s: ServiceSpec): Docker.ContainerCreateOptions {
  const exposed: Record<string, object> = {};
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const p of s.ports) {
    const key = `${p.containerPort}/${p.protocol}`;
    exposed[key] = {};
    (bindings[key] ??= []).push({ HostIp: p.hostIp, HostPort: String(p.hostPort) });
  }
  const ns = (sec: number | undefined) => (sec === undefined ? undefined : Math.round(sec * 1e9));
  // The stack's services use one network each (Compose would connect further ones after creation).
  const [firstNetwork] = s.networks;
  const options: Docker.ContainerCreateOptions = {
    name: stack.containerName(s.name),
    Image: s.image,
    ...(s.command ? { Cmd: s.command } : {}),
    ...(s.entrypoint ? { Entrypoint: s.entrypoint } : {}),
    Env: Object.entries(s.environment).map(([k, v]) => `${k}=${v}`),
    ExposedPorts: exposed,
    StopTimeout: Math.ceil(s.stopGraceS),
    ...(s.healthcheck?.test.length ? {
      Healthcheck: {
        Test: s.healthcheck.test,
        Interval: ns(s.healthcheck.intervalS),
        Timeout: ns(s.healthcheck.timeoutS),
        Retries: s.healthcheck.retries,
        StartPeriod: ns(s.healthcheck.startPeriodS),
      },
    } : {}),
    Labels: {
      ...s.labels,
      [LABEL.project]: stack.spec.project,
      [LABEL.service]: s.name,
      [LABEL.number]: '1',
      [LABEL.oneoff]: 'False',
      [LABEL.workingDir]: path.dirname(stack.spec.file),
      [LABEL.configFiles]: stack.spec.file,
      [LABEL.dependsOn]: s.dependsOn.map((d) => `${d.service}:${d.condition}:false`).join(','),
      [LABEL.image]: s.image,
      [LABEL.managedBy]: 'obsdeck',
    },
    HostConfig: {
      PortBindings: bindings,
      Mounts: s.mounts.filter((m) => m.type === 'volume').map((m) => ({ Type: 'volume' as const, Source: stack.volume(m.source), Target: m.target, ReadOnly: m.readOnly })),
      RestartPolicy: { Name: s.restart === 'no' ? '' : s.restart },
      ExtraHosts: s.extraHosts,
      ...(firstNetwork ? { NetworkMode: stack.network(firstNetwork) } : {}),
    },
    ...(firstNetwork ? { NetworkingConfig: { EndpointsConfig: { [stack.network(firstNetwork)]: { Aliases: [s.name] } } } } : {}),
  };
  return options;
}
