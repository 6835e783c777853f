// Pre-flight: what would stop the services from starting, said before anything is created:
// no engine, a port taken (by which container or program, and a free one to use instead), an
// image that is neither here, nor buildable, nor pullable.
import fs from 'node:fs';
import path from 'node:path';
import type Docker from 'dockerode';
import type { ServiceSpec } from './compose.js';
import { STAND_INS } from './stand-ins.js';
import { containerHolding, nextFreePort, portFree, processHolding } from './ports.js';

/** What the checks read of the stack (stack.ts's Stack is one). */
export interface PreflightView {
  readonly docker: Docker;
  containers(): Promise<Map<string, Docker.ContainerInfo>>;
  bounded<T>(what: string, work: Promise<T>): Promise<T>;
}

/** Everything that would stop `services` from starting, found before anything is created. */
export async function preflightProblems(stack: PreflightView, services: ServiceSpec[], opts: { localPorts?: boolean } = {}): Promise<string[]> {
  const problems: string[] = [];
  try {
    await stack.bounded('answering a ping', stack.docker.ping());
  } catch (err) {
    return [`no Docker engine answers (${err instanceof Error ? err.message : String(err)}); start Docker Desktop, Colima, Podman or dockerd, or set DOCKER_HOST`];
  }
  const existing = await stack.containers();
  const seen = new Map<number, string>();
  for (const s of services) {
    // Our own container holds its ports while it runs, and also while it restarts (a crash
    // loop keeps docker-proxy listening): `up` replaces it, so those ports are not in the way.
    const state = existing.get(s.name)?.State;
    const running = state === 'running' || state === 'restarting';
    for (const p of s.ports) {
      const other = seen.get(p.hostPort);
      if (other) problems.push(`port ${p.hostPort} is published by both ${other} and ${s.name}`);
      seen.set(p.hostPort, s.name);
      if (running || opts.localPorts === false) continue; // our own container holds it; or the engine is remote and says so itself
      const host = p.hostIp === '0.0.0.0' ? '0.0.0.0' : p.hostIp;
      if (await portFree(p.hostPort, host)) continue;
      const holder = (await containerHolding(stack.docker, p.hostPort)) ?? processHolding(p.hostPort) ?? 'another program';
      const free = await nextFreePort(p.hostPort, host);
      const fix = p.variable && free ? `; set ${p.variable}=${free} to use a free port instead` : free ? `; ${free} is free` : '';
      problems.push(`port ${p.hostPort} on ${host} for ${s.name} is in use by ${holder}${fix}`);
    }
    const haveImage = await stack.docker.getImage(s.image).inspect().then(() => true, () => false);
    if (haveImage) continue;
    if (s.build) {
      const dockerfile = path.join(s.build.context, s.build.dockerfile ?? 'Dockerfile');
      if (!fs.existsSync(dockerfile)) {
        problems.push(`image ${s.image} for ${s.name} is missing and its build context ${s.build.context} has no ${s.build.dockerfile ?? 'Dockerfile'}`);
        continue;
      }
      const { sources, base } = dockerfileNeeds(fs.readFileSync(dockerfile, 'utf8'), s.build.args ?? {});
      const absent = sources.filter((src) => !fs.existsSync(path.join(s.build!.context, src)));
      if (absent.length) {
        problems.push(`image ${s.image} for ${s.name} is missing and its build context ${s.build.context} is not staged (${absent.join(', ')} not there)`);
        continue;
      }
      if (base && !(await stack.docker.getImage(base).inspect().then(() => true, () => false))) {
        const why = await stack.docker.getImage(base).distribution().then(() => undefined, (err: unknown) => (err instanceof Error ? err.message : String(err)).split('\n')[0]);
        if (why !== undefined) problems.push(`image ${s.image} for ${s.name} is missing and its build context's base image ${base} is not on the engine and cannot be pulled (${why.slice(0, 200)})`);
      }
      continue;
    }
    const pullable = await stack.docker.getImage(s.image).distribution().then(() => undefined, (err: unknown) => (err instanceof Error ? err.message : String(err)).split('\n')[0]);
    if (pullable !== undefined) {
      problems.push(`image ${s.image} for ${s.name} is not on the engine and cannot be pulled (${pullable.slice(0, 200)}); ${remedy(s.name)}`);
    }
  }
  return problems;
}

/**
 * What to do about a missing image: `npm run images:local` builds stand-ins only for the services
 * that have one (Prometheus, Alertmanager); for the others (Grafana), import a tarball or choose
 * an image that is on the engine.
 */
export function remedy(service: string): string {
  return STAND_INS[service]
    ? 'import it (Images → Import), or build a stand-in with `npm run images:local`'
    : 'import a tarball of it (Images → Import), or choose an image that is on the engine (Images → Change)';
}

/**
 * What a Dockerfile needs from outside: the context paths its COPY/ADD read (not `--from` a
 * stage), and its first FROM image with ARG defaults and build args filled in.
 */
export function dockerfileNeeds(text: string, args: Record<string, string>): { sources: string[]; base?: string } {
  const vars: Record<string, string> = {};
  const sources: string[] = [];
  let base: string | undefined;
  const fill = (v: string) => v.replace(/\$\{?(\w+)\}?/g, (_m, k: string) => args[k] ?? vars[k] ?? '');
  for (const raw of text.replace(/\\\n/g, ' ').split('\n')) {
    const line = raw.trim();
    const arg = /^ARG\s+(\w+)(?:=(\S*))?/i.exec(line);
    if (arg) vars[arg[1]!] = args[arg[1]!] ?? arg[2] ?? '';
    const from = /^FROM\s+(?:--\S+\s+)*(\S+)/i.exec(line);
    if (from && base === undefined) base = fill(from[1]!);
    const copy = /^(?:COPY|ADD)\s+(.*)$/i.exec(line);
    if (copy && !/--from=/i.test(copy[1]!)) {
      const words = copy[1]!.split(/\s+/).filter((w) => !w.startsWith('--'));
      sources.push(...words.slice(0, -1).filter((w) => !/^https?:/.test(w)).map(fill));
    }
  }
  return { sources, ...(base && base !== 'scratch' ? { base } : {}) };
}

/** A service Start left out: its image cannot be had (or a service it needs is left out). */
export interface Skipped { service: string; why: string; details: string }

/** The services `problems` make unavailable (an image that is not here and cannot be pulled), with what depends on them. */
export function unavailable(services: ServiceSpec[], problems: string[]): Skipped[] {
  const out: Skipped[] = [];
  for (const p of problems) {
    const m = /^image (\S+) for (\S+) is (not on the engine and cannot be pulled|missing and its build context)/.exec(p);
    if (!m) continue;
    const why = m[3]!.startsWith('missing')
      ? `image unavailable: ${m[1]!} is not built here and cannot be built yet; run \`npm run api:image\` against this engine (offline: \`npm run images:local\` first, then \`NODE_IMAGE=obsdeck-local/node:latest npm run api:image\`)`
      : `image unavailable: ${m[1]!} is not on the engine and cannot be pulled; ${remedy(m[2]!)}`;
    out.push({ service: m[2]!, why, details: p });
  }
  let grew = true;
  while (grew) {
    grew = false;
    for (const s of services) {
      const gone = s.dependsOn.find((d) => out.some((k) => k.service === d.service));
      if (gone && !out.some((k) => k.service === s.name)) {
        out.push({ service: s.name, why: `needs ${gone.service}, which cannot start`, details: out.find((k) => k.service === gone.service)!.details });
        grew = true;
      }
    }
  }
  return out;
}
