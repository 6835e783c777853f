// `npm run images:local`: builds, FROM scratch, images that mirror the upstream layouts from
// Debian's binaries and the host's Node, for machines that cannot reach a container registry:
//   obsdeck-local/prometheus   /bin/prometheus, /bin/promtool, user 65534, data in /prometheus
//   obsdeck-local/alertmanager /bin/alertmanager, /bin/amtool, user 65534, data in /alertmanager
//   obsdeck-local/node         the host's Node at /usr/local/bin/node with the libraries it needs
// A rebuild is skipped when its inputs have not changed.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type Docker from 'dockerode';
import { aptInstall } from './lib/apt.js';
import { ensureDockerEngine } from './lib/docker-engine.js';
import { buildImage } from '../main/engine/build.js';
import { say } from './lib/proc.js';

export const LOCAL_IMAGES = {
  prometheus: 'obsdeck-local/prometheus:latest',
  alertmanager: 'obsdeck-local/alertmanager:latest',
  node: 'obsdeck-local/node:latest',
} as const;

/** The shared libraries (and loader) a dynamically linked binary needs, as absolute paths. */
export function sharedLibraries(binary: string): string[] {
  const out = execFileSync('ldd', [binary], { encoding: 'utf8' });
  const libs: string[] = [];
  for (const line of out.split('\n')) {
    const m = /=>\s+(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
    if (m?.[1]) libs.push(m[1]);
  }
  return libs;
}

interface Staged { from: string; to: string }

/** Copies files into a fresh context directory at their image paths (links resolved). */
function stage(files: Staged[], dockerfile: string, emptyDirs: string[] = []): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obsdeck-image-'));
  fs.mkdirSync(path.join(dir, 'rootfs'));
  for (const { from, to } of files) {
    const dest = path.join(dir, 'rootfs', to);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.copyFileSync(fs.realpathSync(from), dest);
    fs.chmodSync(dest, fs.statSync(fs.realpathSync(from)).mode & 0o777);
  }
  for (const d of emptyDirs) {
    fs.mkdirSync(path.join(dir, d), { recursive: true });
    fs.writeFileSync(path.join(dir, d, '.keep'), '');
  }
  // A /tmp for the image's user (promtool test rules keeps a TSDB there); COPY --chown below,
  // since the build context carries files only, not the modes of directories.
  fs.mkdirSync(path.join(dir, 'tmp'));
  fs.writeFileSync(path.join(dir, 'tmp', '.keep'), ''); // an empty directory is not sent
  fs.writeFileSync(path.join(dir, 'Dockerfile'), dockerfile);
  return dir;
}

/** Every file under the given directories, staged at the same path in the image. */
function sameAt(dirs: string[]): Staged[] {
  return dirs.filter((d) => fs.existsSync(d)).flatMap((d) =>
    fs.readdirSync(d, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => ({ from: path.join(e.parentPath, e.name), to: path.join(e.parentPath, e.name) })));
}

function withLibraries(binaries: Staged[]): Staged[] {
  const libs = new Set(binaries.flatMap((b) => sharedLibraries(b.from)));
  return [...binaries, ...[...libs].map((l) => ({ from: l, to: l }))];
}

const PROMETHEUS_YML = `# Default configuration of the obsdeck-local image (the stack copies its own in).
global:
  scrape_interval: 15s
scrape_configs:
  - job_name: prometheus
    static_configs:
      - targets: ['localhost:9090']
`;

const ALERTMANAGER_YML = `# Default configuration of the obsdeck-local image (the stack copies its own in).
route:
  receiver: default
receivers:
  - name: default
`;

async function need(binaries: string[], pkg: string): Promise<void> {
  if (binaries.every((b) => fs.existsSync(b))) return;
  await aptInstall([pkg], `${binaries.filter((b) => !fs.existsSync(b)).join(', ')} needed to build local images`);
}

interface LayoutSpec {
  pkg: string;
  /** [path on this machine, name under /bin in the image] */
  daemon: [string, string];
  tool: [string, string];
  port: number;
  data: string;
  configName: string;
  config: string;
  storageFlag: string;
  /** Directories Debian's build reads at run time (its patches load templates and web assets from disk). */
  assets: string[];
}

/** Prometheus and Alertmanager as the upstream images lay them out: /bin, /etc/<name>, data dir, user 65534. */
async function upstreamLayout(spec: LayoutSpec): Promise<string> {
  await need([spec.daemon[0], spec.tool[0]], spec.pkg);
  const name = spec.daemon[1];
  const dir = stage(withLibraries([
    { from: spec.daemon[0], to: `/bin/${name}` },
    { from: spec.tool[0], to: `/bin/${spec.tool[1]}` },
  ]).concat(sameAt(spec.assets)), `FROM scratch
COPY rootfs/ /
COPY --chown=65534:65534 tmp/ /tmp/
COPY ${spec.configName} /etc/${name}/${spec.configName}
COPY --chown=65534:65534 data/ ${spec.data}/
USER 65534:65534
EXPOSE ${spec.port}
VOLUME ["${spec.data}"]
WORKDIR ${spec.data}
ENTRYPOINT ["/bin/${name}"]
CMD ["--config.file=/etc/${name}/${spec.configName}", "${spec.storageFlag}=${spec.data}"]
`, ['data']);
  fs.writeFileSync(path.join(dir, spec.configName), spec.config);
  return dir;
}

export async function buildLocalImages(docker?: Docker, only?: (keyof typeof LOCAL_IMAGES)[]): Promise<void> {
  const engine = docker ?? (await ensureDockerEngine());
  const want = new Set(only ?? (Object.keys(LOCAL_IMAGES) as (keyof typeof LOCAL_IMAGES)[]));
  const log = (line: string) => process.env.OBSDECK_VERBOSE && process.stderr.write(`  ${line}\n`);
  const builds: { key: keyof typeof LOCAL_IMAGES; dir: () => Promise<string> }[] = [
    {
      key: 'prometheus',
      dir: () => upstreamLayout({
        pkg: 'prometheus', daemon: ['/usr/bin/prometheus', 'prometheus'], tool: ['/usr/bin/promtool', 'promtool'],
        port: 9090, data: '/prometheus', configName: 'prometheus.yml', config: PROMETHEUS_YML, storageFlag: '--storage.tsdb.path',
        assets: ['/usr/share/prometheus/web'],
      }),
    },
    {
      key: 'alertmanager',
      dir: () => upstreamLayout({
        pkg: 'prometheus-alertmanager', daemon: ['/usr/bin/prometheus-alertmanager', 'alertmanager'], tool: ['/usr/bin/amtool', 'amtool'],
        port: 9093, data: '/alertmanager', configName: 'alertmanager.yml', config: ALERTMANAGER_YML, storageFlag: '--storage.path',
        // Without default.tmpl every notification fails to render ("failed to parse templates").
        assets: ['/usr/share/prometheus/alertmanager'],
      }),
    },
    {
      key: 'node',
      dir: async () => stage(withLibraries([{ from: process.execPath, to: '/usr/local/bin/node' }]), `FROM scratch
COPY rootfs/ /
ENV PATH=/usr/local/bin:/usr/bin:/bin
ENTRYPOINT ["/usr/local/bin/node"]
`),
    },
  ];
  for (const b of builds) {
    if (!want.has(b.key)) continue;
    const tag = LOCAL_IMAGES[b.key];
    const dir = await b.dir();
    try {
      const { built } = await buildImage(engine, { tag, contextDir: dir, onLine: log });
      if (built) say(`built ${tag} from ${b.key === 'node' ? `the host's Node ${process.version}` : "Debian's binaries"}: no registry image is used here`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
}

if (process.argv[1] && fs.realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildLocalImages().then(
    () => {
      for (const tag of Object.values(LOCAL_IMAGES)) process.stdout.write(`${tag}\n`);
    },
    (err: unknown) => {
      process.stderr.write(`images:local failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
