// Finds the Docker engine: DOCKER_HOST first, then the current Docker context (DOCKER_CONTEXT
// or ~/.docker/config.json), then the sockets of Docker Desktop, Colima, Rancher Desktop and
// Podman. Reports the engine, or what was tried and what to do.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import type { EngineStatus } from '../contract.js';
import { parseSsh, sshConfig, SshDialer } from './ssh.js';
import type { Agent } from 'node:http';

export type { EngineStatus } from '../contract.js';
export type EngineFound = Extract<EngineStatus, { reachable: true }>;
export type EngineMissing = Extract<EngineStatus, { reachable: false }>;

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

export interface ContextEndpoint { name: string; host: string; tlsDir?: string }

/**
 * The endpoint of the current Docker context (`docker context use`), unless it is "default"
 * (which means DOCKER_HOST or the platform's socket, tried anyway).
 */
export function currentContext(env: NodeJS.ProcessEnv = process.env, home = os.homedir()): ContextEndpoint | undefined {
  const dockerDir = env.DOCKER_CONFIG ?? path.join(home, '.docker');
  let name = env.DOCKER_CONTEXT;
  if (!name) {
    try {
      name = (JSON.parse(fs.readFileSync(path.join(dockerDir, 'config.json'), 'utf8')) as { currentContext?: string }).currentContext;
    } catch {
      return undefined;
    }
  }
  if (!name || name === 'default') return undefined;
  const id = crypto.createHash('sha256').update(name).digest('hex');
  try {
    const meta = JSON.parse(fs.readFileSync(path.join(dockerDir, 'contexts', 'meta', id, 'meta.json'), 'utf8')) as { Endpoints?: { docker?: { Host?: string } } };
    const host = meta.Endpoints?.docker?.Host;
    if (!host) return undefined;
    const tlsDir = path.join(dockerDir, 'contexts', 'tls', id, 'docker');
    return { name, host, ...(fs.existsSync(tlsDir) ? { tlsDir } : {}) };
  } catch {
    return undefined;
  }
}

/** Why an ssh:// client's connection was refused on our side (the host key check), by client. */
const sshFailures = new WeakMap<Docker, () => string | undefined>();

/** A client for a unix://, tcp:// (TLS from `tlsDir`) or ssh:// endpoint. */
export function clientFor(endpoint: string, tlsDir?: string, env: NodeJS.ProcessEnv = process.env): Docker {
  if (endpoint.startsWith('unix://')) return new Docker({ socketPath: endpoint.slice(7) });
  if (endpoint.startsWith('npipe://')) return new Docker({ socketPath: endpoint.slice(8) });
  const url = new URL(endpoint);
  if (url.protocol === 'ssh:') {
    const ep = parseSsh(endpoint, env);
    const { failure, ...config } = sshConfig(ep, env);
    // Plain HTTP over our own agent: every request a channel on a shared SSH connection (engine/ssh.ts).
    const options: Docker.DockerOptions & { agent: Agent } = { protocol: 'http', host: 'docker', port: 80, agent: new SshDialer(config).agent() }; // docker-modem takes `agent`; dockerode's types omit it
    const docker = new Docker(options);
    sshFailures.set(docker, failure);
    return docker;
  }
  if (url.protocol === 'tcp:') {
    const read = (f: string) => (tlsDir ? fs.readFileSync(path.join(tlsDir, f)) : undefined);
    return tlsDir
      ? new Docker({ protocol: 'https', host: url.hostname, port: Number(url.port || 2376), ca: read('ca.pem'), cert: read('cert.pem'), key: read('key.pem') })
      : new Docker({ protocol: 'http', host: url.hostname, port: Number(url.port || 2375) });
  }
  throw new Error(`unsupported Docker endpoint ${endpoint} (unix://, tcp:// or ssh://)`);
}

/** DOCKER_HOST, with DOCKER_TLS_VERIFY and DOCKER_CERT_PATH as the docker CLI reads them. */
function envClient(env: NodeJS.ProcessEnv, home: string): Docker {
  const host = env.DOCKER_HOST!;
  const tlsDir = env.DOCKER_TLS_VERIFY ? (env.DOCKER_CERT_PATH ?? path.join(home, '.docker')) : undefined;
  return clientFor(host, tlsDir, env);
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
  const context = env.DOCKER_HOST ? undefined : currentContext(env);
  const candidates: { endpoint: string; client: () => Docker }[] = env.DOCKER_HOST
    ? [{ endpoint: env.DOCKER_HOST, client: () => envClient(env, os.homedir()) }]
    : [
      ...(context ? [{ endpoint: `${context.host} (context ${context.name})`, client: () => clientFor(context.host, context.tlsDir, env) }] : []),
      ...candidateSockets(env).filter((s) => fs.existsSync(s)).map((s) => ({ endpoint: `unix://${s}`, client: () => clientFor(`unix://${s}`) })),
    ];
  const endpoints = candidates.map((c) => c.endpoint);
  const tried: EngineMissing['tried'] = [];
  for (const { endpoint, client } of candidates) {
    let docker: Docker;
    try {
      docker = client();
    } catch (err) {
      tried.push({ endpoint, error: err instanceof Error ? err.message : String(err) });
      continue;
    }
    try {
      // Over SSH the handshake and `docker system dial-stdio` come first.
      const v = await probe(docker, endpoint.startsWith('ssh://') ? Math.max(timeoutMs, 15_000) : timeoutMs);
      return { status: { reachable: true, endpoint, version: v.Version, apiVersion: v.ApiVersion, os: v.Os, arch: v.Arch }, docker };
    } catch (err) {
      tried.push({ endpoint, error: sshFailures.get(docker)?.() ?? (err instanceof Error ? err.message : String(err)) });
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
