// Finds the Docker engine: DOCKER_HOST first, then the sockets of Docker Desktop, Colima,
// Rancher Desktop and Podman. Reports the engine, or what was tried and what to do.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';

export interface EngineFound {
  reachable: true;
  endpoint: string;
  version: string;
  apiVersion: string;
  os: string;
  arch: string;
}

export interface EngineMissing {
  reachable: false;
  tried: { endpoint: string; error: string }[];
  hint: string;
}

export type EngineStatus = EngineFound | EngineMissing;

export function candidateSockets(env: NodeJS.ProcessEnv = process.env, home = os.homedir()): string[] {
  const runtime = env.XDG_RUNTIME_DIR;
  return [
    '/var/run/docker.sock',
    path.join(home, '.docker', 'run', 'docker.sock'), // Docker Desktop (macOS, Linux)
    path.join(home, '.docker', 'desktop', 'docker.sock'),
    path.join(home, '.colima', 'default', 'docker.sock'),
    path.join(home, '.rd', 'docker.sock'), // Rancher Desktop
    ...(runtime ? [path.join(runtime, 'docker.sock'), path.join(runtime, 'podman', 'podman.sock')] : []),
    '/run/podman/podman.sock',
  ];
}

function clientFor(endpoint: string): Docker {
  if (endpoint.startsWith('unix://')) return new Docker({ socketPath: endpoint.slice(7) });
  // DOCKER_HOST (tcp with DOCKER_TLS_VERIFY/DOCKER_CERT_PATH, ssh) is read by docker-modem itself.
  return new Docker();
}

async function probe(docker: Docker, timeoutMs: number): Promise<Docker.DockerVersion> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      docker.version(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export async function discoverEngine(env: NodeJS.ProcessEnv = process.env, timeoutMs = 3000): Promise<{ status: EngineStatus; docker?: Docker }> {
  const endpoints = env.DOCKER_HOST ? [env.DOCKER_HOST] : candidateSockets(env).filter((s) => fs.existsSync(s)).map((s) => `unix://${s}`);
  const tried: EngineMissing['tried'] = [];
  for (const endpoint of endpoints) {
    const docker = clientFor(endpoint);
    try {
      const v = await probe(docker, timeoutMs);
      return { status: { reachable: true, endpoint, version: v.Version, apiVersion: v.ApiVersion, os: v.Os, arch: v.Arch }, docker };
    } catch (err) {
      tried.push({ endpoint, error: err instanceof Error ? err.message : String(err) });
    }
  }
  if (!env.DOCKER_HOST) {
    for (const s of candidateSockets(env)) if (!endpoints.includes(`unix://${s}`)) tried.push({ endpoint: `unix://${s}`, error: 'no such socket' });
  }
  const hint = env.DOCKER_HOST
    ? `Nothing answers at DOCKER_HOST=${env.DOCKER_HOST}. Start that engine, or unset DOCKER_HOST to use a local one.`
    : process.platform === 'linux'
      ? 'Start the Docker engine (`sudo systemctl start docker`, or Docker Desktop), make sure your user may use its socket, or set DOCKER_HOST.'
      : 'Start Docker Desktop, Colima (`colima start`), Rancher Desktop or Podman (`podman machine start`), or set DOCKER_HOST.';
  return { status: { reachable: false, tried, hint } };
}
