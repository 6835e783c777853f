// What the end-to-end tests share: the environment `obsdeck serve` runs a test stack with (the
// local images, free ports on 127.0.0.1, its own project and data directory, without Grafana),
// and the clean-up that leaves nothing of the project on the engine.
import fs from 'node:fs';
import type Docker from 'dockerode';
import { freePort } from './net.js';

export const E2E_SERVICES = ['api_poc3', 'prometheus', 'alertmanager'];

export async function e2eEnv(project: string, home: string, extra: NodeJS.ProcessEnv = {}): Promise<NodeJS.ProcessEnv> {
  return {
    ...process.env,
    OBSDECK_HOME: home,
    OBSDECK_PROJECT: project,
    OBSDECK_SERVICES: E2E_SERVICES.join(','),
    PROMETHEUS_IMAGE: process.env.PROMETHEUS_IMAGE ?? 'obsdeck-local/prometheus:latest',
    ALERTMANAGER_IMAGE: process.env.ALERTMANAGER_IMAGE ?? 'obsdeck-local/alertmanager:latest',
    API_IMAGE: process.env.API_IMAGE ?? 'obsdeck/poc3-api:dev',
    API_PORT: String(await freePort()),
    PROMETHEUS_PORT: String(await freePort()),
    ALERTMANAGER_PORT: String(await freePort()),
    GRAFANA_PORT: String(await freePort()),
    ...extra,
  };
}

/** Whatever a test left of the project: its containers, networks and volumes; then its data directory. */
export async function removeProject(docker: Docker, project: string, home: string): Promise<void> {
  const filter = { label: [`com.docker.compose.project=${project}`] };
  for (const c of await docker.listContainers({ all: true, filters: filter })) await docker.getContainer(c.Id).remove({ force: true, v: true });
  for (const n of await docker.listNetworks({ filters: filter })) await docker.getNetwork(n.Id).remove();
  for (const v of (await docker.listVolumes({ filters: filter })).Volumes ?? []) await docker.getVolume(v.Name).remove();
  fs.rmSync(home, { recursive: true, force: true });
}
