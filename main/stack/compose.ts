// Reads the subset of the Compose specification the stack uses (DESIGN.md: image, build,
// command, entrypoint, environment, ports, volumes, depends_on, healthcheck, restart, labels,
// networks, stop_grace_period, extra_hosts) into a model the reconciler works from. Variables are
// interpolated as Compose does; every other key is reported as a warning, never silently dropped.
import path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';

export interface PortSpec {
  hostIp: string;
  hostPort: number;
  containerPort: number;
  protocol: 'tcp' | 'udp';
  /** The variable that sets the host port, when the file has one (`${PROMETHEUS_PORT:-9090}`). */
  variable?: string;
  /**
   * Where this machine reaches the port when that is not `hostPort`: with a remote engine whose
   * `hostPort` is taken here, the port its SSH forward listens on (set by the runtime, never read
   * from the file).
   */
  localPort?: number;
}
export type MountSpec =
  | { type: 'volume'; source: string; target: string; readOnly: boolean }
  /** A file or directory of the configuration, copied into the container (see stack.ts). */
  | { type: 'bind'; source: string; target: string; readOnly: boolean };
export interface DependsOn { service: string; condition: 'service_started' | 'service_healthy' | 'service_completed_successfully' }
export interface HealthSpec { test: string[]; intervalS?: number; timeoutS?: number; retries?: number; startPeriodS?: number }

export interface ServiceSpec {
  name: string;
  image: string;
  build?: { context: string; dockerfile?: string; args: Record<string, string> };
  command?: string[];
  entrypoint?: string[];
  environment: Record<string, string>;
  ports: PortSpec[];
  mounts: MountSpec[];
  dependsOn: DependsOn[];
  healthcheck?: HealthSpec;
  restart: 'no' | 'always' | 'on-failure' | 'unless-stopped';
  labels: Record<string, string>;
  networks: string[];
  stopGraceS: number;
  extraHosts: string[];
  /** Set when the stack runs a stand-in (stand-ins.ts): the upstream image it stands in for. */
  standInFor?: string;
  /** Set when the user chose this service's image (images/settings.ts): the compose file's image it replaces. */
  chosenOver?: string;
}

export interface StackSpec {
  project: string;
  /** The compose file, and the directory relative build contexts are resolved against. */
  file: string;
  services: ServiceSpec[];
  networks: string[];
  volumes: string[];
  warnings: string[];
}

export class ComposeError extends Error {}

/** A service labelled so takes the stack's user (basic auth) on every HTTP request (config/stack-auth.ts). */
export const AUTH_LABEL = 'org.obsdeck.auth';

const SUPPORTED_SERVICE_KEYS = new Set(['image', 'build', 'command', 'entrypoint', 'environment', 'ports', 'volumes', 'depends_on', 'healthcheck', 'restart', 'labels', 'networks', 'stop_grace_period', 'extra_hosts', 'container_name']);
const SUPPORTED_TOP_KEYS = new Set(['services', 'networks', 'volumes', 'name', 'version']);

/** Compose's interpolation: ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}, $VAR and $$. */
export function interpolate(value: string, env: Record<string, string | undefined>, where: string): string {
  return value.replace(/\$(\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g, (match, dollar: string, braced?: string, op?: string, arg?: string, bare?: string) => {
    if (dollar === '$') return '$';
    const name = braced ?? bare ?? '';
    const v = env[name];
    const unsetOrEmpty = v === undefined || v === '';
    switch (op) {
      case ':-': return unsetOrEmpty ? (arg ?? '') : v;
      case '-': return v === undefined ? (arg ?? '') : v;
      case ':?': if (unsetOrEmpty) throw new ComposeError(`${where}: ${name} is required: ${arg ?? ''}`); return v;
      case '?': if (v === undefined) throw new ComposeError(`${where}: ${name} is required: ${arg ?? ''}`); return v;
      default: return v ?? '';
    }
  });
}

/** "1m30s", "2m", "15s", "500ms" → seconds. */
export function durationSeconds(value: unknown, where: string): number {
  if (typeof value === 'number') return value;
  const s = String(value);
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let total = 0;
  let consumed = 0;
  for (const m of s.matchAll(re)) {
    total += Number(m[1]) * { ms: 0.001, s: 1, m: 60, h: 3600 }[m[2] as 'ms' | 's' | 'm' | 'h'];
    consumed += m[0].length;
  }
  if (consumed !== s.length || consumed === 0) throw new ComposeError(`${where}: "${s}" is not a duration (like 30s, 2m or 1m30s)`);
  return total;
}

const asRecord = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '');
const words = (v: unknown): string[] | undefined => (v === undefined ? undefined : Array.isArray(v) ? v.map(str) : str(v).split(/\s+/).filter(Boolean));

function keyValues(v: unknown): Record<string, string> {
  if (Array.isArray(v)) {
    return Object.fromEntries(v.map(str).map((e) => (e.includes('=') ? [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)] : [e, ''])));
  }
  return Object.fromEntries(Object.entries(asRecord(v)).map(([k, x]) => [k, x === null ? '' : str(x)]));
}

function parsePort(v: unknown, where: string): PortSpec {
  const s = str(v);
  const m = /^(?:(\d{1,3}(?:\.\d{1,3}){3}):)?(?:(\d+):)?(\d+)(?:\/(tcp|udp))?$/.exec(s);
  if (!m) throw new ComposeError(`${where}: port "${s}" is not [IP:]HOST:CONTAINER[/PROTOCOL]`);
  const containerPort = Number(m[3]);
  return { hostIp: m[1] ?? '0.0.0.0', hostPort: m[2] ? Number(m[2]) : containerPort, containerPort, protocol: (m[4] as 'tcp' | 'udp' | undefined) ?? 'tcp' };
}

function parseMount(v: unknown, baseDir: string, volumes: Set<string>, where: string): MountSpec {
  const s = str(v);
  const parts = s.split(':');
  if (parts.length < 2 || parts.length > 3) throw new ComposeError(`${where}: volume "${s}" is not SOURCE:TARGET[:ro]`);
  const [source = '', target = '', mode = 'rw'] = parts;
  const readOnly = mode.split(',').includes('ro');
  if (source.startsWith('.') || source.startsWith('/') || source.startsWith('~')) {
    return { type: 'bind', source: path.resolve(baseDir, source), target, readOnly };
  }
  if (!volumes.has(source)) throw new ComposeError(`${where}: volume "${source}" is not declared under the top-level volumes:`);
  return { type: 'volume', source, target, readOnly };
}

export interface LoadOptions {
  /** The compose file's path: build contexts are relative to its directory. */
  file: string;
  project: string;
  env?: Record<string, string | undefined>;
  /** Where relative bind-mount sources (the configs) are resolved; the file's directory by default. */
  configDir?: string;
  /** The name messages give the file, when the text is not read from `file` (the user's copy). */
  source?: string;
}

export function loadCompose(text: string, opts: LoadOptions): StackSpec {
  const env = opts.env ?? process.env;
  const composeDir = path.dirname(path.resolve(opts.file));
  const shown = opts.source ?? opts.file;
  const configDir = opts.configDir ?? composeDir;
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    const pos = lines.linePos(e.pos[0]);
    throw new ComposeError(`${shown}:${pos.line}:${pos.col}: ${e.message.split('\n')[0]}`);
  }
  // Interpolate every string of the document (keys stay as written), as Compose does.
  const interpolateAll = (v: unknown, where: string): unknown => {
    if (typeof v === 'string') return interpolate(v, env, where);
    if (Array.isArray(v)) return v.map((x, i) => interpolateAll(x, `${where}[${i}]`));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, interpolateAll(x, `${where}.${k}`)]));
    return v;
  };
  const asWritten = asRecord(doc.toJS());
  const root = asRecord(interpolateAll(asWritten, shown));
  const warnings: string[] = [];
  for (const key of Object.keys(root)) if (!SUPPORTED_TOP_KEYS.has(key)) warnings.push(`${shown}: top-level "${key}" is ignored`);
  const volumes = Object.keys(asRecord(root.volumes));
  const networks = Object.keys(asRecord(root.networks));
  const volumeSet = new Set(volumes);
  const services: ServiceSpec[] = [];
  for (const [name, raw] of Object.entries(asRecord(root.services))) {
    const s = asRecord(raw);
    const where = `${shown}: services.${name}`;
    for (const key of Object.keys(s)) if (!SUPPORTED_SERVICE_KEYS.has(key)) warnings.push(`${where}: "${key}" is ignored`);
    const buildRaw = s.build === undefined ? undefined : typeof s.build === 'string' ? { context: s.build } : asRecord(s.build);
    const image = str(s.image);
    if (!image && !buildRaw) throw new ComposeError(`${where}: needs an image or a build`);
    const dependsRaw = s.depends_on;
    const dependsOn: DependsOn[] = Array.isArray(dependsRaw)
      ? dependsRaw.map((d) => ({ service: str(d), condition: 'service_started' as const }))
      : Object.entries(asRecord(dependsRaw)).map(([service, d]) => ({ service, condition: (str(asRecord(d).condition) || 'service_started') as DependsOn['condition'] }));
    const hc = s.healthcheck === undefined ? undefined : asRecord(s.healthcheck);
    const restart = str(s.restart) || 'no';
    if (!['no', 'always', 'on-failure', 'unless-stopped'].includes(restart)) throw new ComposeError(`${where}: restart "${restart}" is not no, always, on-failure or unless-stopped`);
    const serviceNetworks = Array.isArray(s.networks) ? s.networks.map(str) : Object.keys(asRecord(s.networks));
    for (const n of serviceNetworks) if (!networks.includes(n)) throw new ComposeError(`${where}: network "${n}" is not declared under the top-level networks:`);
    services.push({
      name,
      image: image || `${opts.project}-${name}`,
      build: buildRaw && {
        context: path.resolve(composeDir, str(buildRaw.context) || '.'),
        dockerfile: str(buildRaw.dockerfile) || undefined,
        args: keyValues(buildRaw.args),
      },
      command: words(s.command),
      entrypoint: words(s.entrypoint),
      environment: keyValues(s.environment),
      ports: asList(s.ports).map((p, i) => {
        const port = parsePort(p, where);
        const written = str(asList(asRecord(asRecord(asWritten.services)[name]).ports)[i]);
        const variable = /\$\{(\w+)[^}]*\}:\d+(\/\w+)?$/.exec(written)?.[1];
        return variable ? { ...port, variable } : port;
      }),
      mounts: asList(s.volumes).map((v) => parseMount(v, configDir, volumeSet, where)),
      dependsOn,
      healthcheck: hc && {
        test: words(hc.test) ?? [],
        intervalS: hc.interval === undefined ? undefined : durationSeconds(hc.interval, `${where}.healthcheck.interval`),
        timeoutS: hc.timeout === undefined ? undefined : durationSeconds(hc.timeout, `${where}.healthcheck.timeout`),
        retries: hc.retries === undefined ? undefined : Number(hc.retries),
        startPeriodS: hc.start_period === undefined ? undefined : durationSeconds(hc.start_period, `${where}.healthcheck.start_period`),
      },
      restart: restart as ServiceSpec['restart'],
      labels: keyValues(s.labels),
      networks: serviceNetworks.length ? serviceNetworks : networks.slice(0, 1),
      stopGraceS: s.stop_grace_period === undefined ? 10 : durationSeconds(s.stop_grace_period, `${where}.stop_grace_period`),
      extraHosts: asList(s.extra_hosts).map(str),
    });
  }
  const names = new Set(services.map((s) => s.name));
  for (const s of services) {
    for (const d of s.dependsOn) if (!names.has(d.service)) throw new ComposeError(`${shown}: services.${s.name} depends on "${d.service}", which is not a service`);
  }
  startOrder(services); // throws on a cycle
  return { project: opts.project, file: path.resolve(opts.file), services, networks, volumes, warnings };
}

/**
 * Where a service's first published port is reached from this machine (`http://host:port`), or
 * undefined when it publishes none. A port published on all interfaces is reached on 127.0.0.1;
 * `host` overrides (the engine's host). A port forwarded from a remote engine to another number
 * here is reached at that number.
 */
export function serviceBase(s: ServiceSpec, host?: string): string | undefined {
  const port = s.ports[0];
  if (!port) return undefined;
  return `http://${host ?? (port.hostIp === '0.0.0.0' ? '127.0.0.1' : port.hostIp)}:${port.localPort ?? port.hostPort}`;
}

/** Services in levels: each level depends only on earlier ones, so a level can start in parallel. */
export function startOrder(services: ServiceSpec[]): ServiceSpec[][] {
  const levels: ServiceSpec[][] = [];
  const placed = new Set<string>();
  let rest = [...services];
  while (rest.length) {
    const level = rest.filter((s) => s.dependsOn.every((d) => placed.has(d.service)));
    if (!level.length) throw new ComposeError(`depends_on has a cycle among ${rest.map((s) => s.name).join(', ')}`);
    levels.push(level);
    for (const s of level) placed.add(s.name);
    rest = rest.filter((s) => !placed.has(s.name));
  }
  return levels;
}

/** `names` and everything they depend on, transitively (what `up SERVICE...` starts). */
export function withDependencies(spec: StackSpec, names: string[]): ServiceSpec[] {
  const byName = new Map(spec.services.map((s) => [s.name, s]));
  const want = new Set<string>();
  const visit = (n: string) => {
    const s = byName.get(n);
    if (!s) throw new ComposeError(`no service "${n}" (the stack has ${spec.services.map((x) => x.name).join(', ')})`);
    if (want.has(n)) return;
    want.add(n);
    for (const d of s.dependsOn) visit(d.service);
  };
  names.forEach(visit);
  return spec.services.filter((s) => want.has(s.name));
}
