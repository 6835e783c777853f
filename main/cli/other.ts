// `obsdeck render`, `engine` and `serve`.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { SECRET_VARIABLES, withSecrets } from '../config/secrets.js';
import { dataDir } from '../config/store.js';
import { discoverEngine } from '../engine/discover.js';
import { writeAtomically } from '../files/atomic.js';
import { Host } from '../host/host.js';
import { serve } from '../server/serve.js';
import { loadSpec } from '../config/project.js';
import { k8sName, renderKubernetes, SECRET_NAME, toYaml, type Manifest } from '../render/kubernetes.js';
import { out } from './output.js';
import { replicaPairs } from './stack.js';
import { UsageError, type Command } from './table.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const manifestFile = (m: Manifest, i: number) => `${String(i).padStart(2, '0')}-${m.kind.toLowerCase()}-${k8sName(m.metadata.name)}.yaml`;

/** The Secret's values of an earlier render into `dir`, if there is one; a damaged one is reported, never replaced. */
function earlierSecret(dir: string): Record<string, string> | undefined {
  const name = fs.existsSync(dir) ? fs.readdirSync(dir).find((f) => f.endsWith(`-secret-${SECRET_NAME}.yaml`)) : undefined;
  if (!name) return undefined;
  const file = path.join(dir, name);
  let data: unknown;
  try {
    data = (parse(fs.readFileSync(file, 'utf8')) as { stringData?: unknown } | null)?.stringData;
  } catch (err) {
    throw new Error(`${file} is damaged (${err instanceof Error ? err.message.split('\n')[0] : String(err)}); fix or remove it, or render into another directory`, { cause: err });
  }
  if (!data || typeof data !== 'object' || Object.values(data).some((v) => typeof v !== 'string')) throw new Error(`${file} holds no stringData of strings; fix or remove it, or render into another directory`);
  return data as Record<string, string>;
}

export const render: Command = {
  name: 'render', section: 'Other', args: 'kubernetes',
  help: 'write the stack as Kubernetes manifests (to standard output, or one file per manifest in DIR)\nPrometheus discovers the API\'s pods itself; a ServiceMonitor and a PrometheusRule carry the same\nscrape and rules for kube-prometheus-stack. The credentials are generated anew for the cluster.\nValidated against the Kubernetes API schemas; `kubectl apply -f DIR` (or -f -) deploys it.',
  options: {
    out: { type: 'string', value: 'DIR', help: 'write NN-kind-name.yaml files into DIR (made when missing)' },
    namespace: { type: 'string', value: 'NAME', help: 'the namespace to create and use (default obsdeck)' },
    replicas: { type: 'string', value: 'SERVICE=N', multiple: true, help: 'replicas of SERVICE (the API runs 3 unless told)' },
    rotate: { type: 'boolean', help: 'generate the Secret\'s passwords anew (an earlier render\'s in DIR are kept otherwise)' },
  },
  run: async ({ positionals, values }) => {
    if (positionals.length !== 1 || positionals[0] !== 'kubernetes') throw new UsageError('render knows one target: `obsdeck render kubernetes`', render);
    const { spec, configDir } = loadSpec();
    const replicas = replicaPairs(Array.isArray(values.replicas) ? values.replicas : [], '--replicas', spec.services.map((x) => x.name));
    const namespace = typeof values.namespace === 'string' ? values.namespace : undefined;
    if (namespace !== undefined && !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(namespace)) throw new UsageError(`--namespace "${namespace}" is not a Kubernetes name (lower-case letters, digits and "-", at most 63)`);
    const read = (f: string) => fs.readFileSync(path.join(configDir, f), 'utf8');
    const dir = typeof values.out === 'string' ? values.out : undefined;
    const existing = dir ? earlierSecret(dir) : undefined;
    const laptop = withSecrets(process.env, dataDir());
    const manifests = renderKubernetes(spec, {
      namespace, replicas, files: { 'prometheus.yml': read('prometheus.yml'), 'prometheus_rules.yml': read('prometheus_rules.yml'), 'alertmanager.yml': read('alertmanager.yml'), 'slo_rules.yml': read('slo_rules.yml') },
      secrets: Object.fromEntries(SECRET_VARIABLES.map((k) => [k, laptop[k]])),
      ...(existing ? { existing } : {}), rotate: values.rotate === true,
    });
    if (!dir) {
      process.stdout.write(toYaml(manifests));
      return 0;
    }
    fs.mkdirSync(dir, { recursive: true });
    // Each file whole, with its own mode (a re-render does not keep an old file's), replacing a
    // symlink at its name rather than writing through it.
    manifests.forEach((m, i) => writeAtomically(path.join(dir, manifestFile(m, i)), toYaml([m]), m.kind === 'Secret' ? 0o600 : 0o644));
    out(`${manifests.length} manifests in ${dir} (the Secret ${SECRET_NAME} holds credentials generated for the cluster${existing && values.rotate !== true ? ', kept from the earlier render' : ''}; keep it out of version control)`);
    return 0;
  },
};

export const otherCommands: Command[] = [
  {
    name: 'engine', section: 'Other',
    help: 'the Docker engine in use, or what was tried and what to do',
    options: { json: { type: 'boolean', help: 'print JSON' } },
    run: async ({ values }) => {
      const { status } = await discoverEngine();
      if (values.json) out(JSON.stringify(status, null, 2));
      else if (status.reachable) out(`Docker ${status.version} (API ${status.apiVersion}, ${status.os}/${status.arch}) at ${status.endpoint}`);
      else out(`No Docker engine is reachable. ${status.hint}\nTried:\n${status.tried.map((t) => `  ${t.endpoint}: ${t.error}`).join('\n')}`);
      return status.reachable ? 0 : 3;
    },
  },
  {
    name: 'serve', section: 'Other',
    help: 'the app\'s UI in a browser, on 127.0.0.1 with an access token',
    options: { port: { type: 'string', value: 'N', help: 'the port to listen on (any free one when not given)' } },
    run: async ({ values }) => {
      const portText = typeof values.port === 'string' ? values.port : undefined;
      const port = portText === undefined ? 0 : Number(portText);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a whole number from 0 to 65535, got "${portText}"`);
      const host = new Host({ defaultServices: process.env.OBSDECK_SERVICES?.split(',').map((x) => x.trim()).filter(Boolean) });
      await host.start();
      const running = await serve({ port, staticDir: path.join(root, 'dist', 'renderer'), api: { engine: async () => (await discoverEngine()).status }, host });
      out(`Obsdeck is serving its UI at ${running.url}\n(only this machine can reach it; the token in the URL is the key. Ctrl-C stops it.)`);
      const stop = () => {
        host.close();
        void running.close().then(() => process.exit(0));
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      return -1; // keeps running
    },
  },
];
