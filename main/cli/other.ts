// `obsdeck render`, `engine` and `serve`.
import { replicaPairs } from './stack.js';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { discoverEngine } from '../engine/discover.js';
import { Host } from '../host/host.js';
import { serve } from '../server/serve.js';
import { loadSpec } from '../config/project.js';
import { k8sName, renderKubernetes, toYaml } from '../render/kubernetes.js';
import { out } from './output.js';
import { UsageError, type Command } from './table.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export const render: Command = {
  name: 'render', section: 'Other', args: 'kubernetes',
  help: 'write the stack as Kubernetes manifests (to standard output, or one file per manifest in DIR)\nPrometheus discovers the API\'s pods itself; a ServiceMonitor and a PrometheusRule carry the same\nscrape and rules for kube-prometheus-stack. The credentials are generated anew for the cluster.\nValidated against the Kubernetes API schemas; `kubectl apply -f DIR` (or -f -) deploys it.',
  options: {
    out: { type: 'string', value: 'DIR', help: 'write NN-kind-name.yaml files into DIR (made when missing)' },
    namespace: { type: 'string', value: 'NAME', help: 'the namespace to create and use (default obsdeck)' },
    replicas: { type: 'string', value: 'SERVICE=N', multiple: true, help: 'replicas of SERVICE (the API runs 3 unless told)' },
  },
  run: async ({ positionals, values }) => {
    if (positionals.length !== 1 || positionals[0] !== 'kubernetes') throw new UsageError('render knows one target: `obsdeck render kubernetes`', render);
    const { spec, configDir } = loadSpec();
    const replicas = replicaPairs(Array.isArray(values.replicas) ? values.replicas : [], '--replicas', spec.services.map((x) => x.name));
    const namespace = typeof values.namespace === 'string' ? values.namespace : undefined;
    if (namespace !== undefined && !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(namespace)) throw new UsageError(`--namespace "${namespace}" is not a Kubernetes name (lower-case letters, digits and "-", at most 63)`);
    const read = (f: string) => fs.readFileSync(path.join(configDir, f), 'utf8');
    const manifests = renderKubernetes(spec, { namespace, replicas, files: { 'prometheus.yml': read('prometheus.yml'), 'prometheus_rules.yml': read('prometheus_rules.yml'), 'alertmanager.yml': read('alertmanager.yml') } });
    if (typeof values.out !== 'string') {
      process.stdout.write(toYaml(manifests));
      return 0;
    }
    fs.mkdirSync(values.out, { recursive: true });
    manifests.forEach((m, i) => fs.writeFileSync(path.join(values.out as string, `${String(i).padStart(2, '0')}-${m.kind.toLowerCase()}-${k8sName(m.metadata.name)}.yaml`), toYaml([m]), { mode: m.kind === 'Secret' ? 0o600 : 0o644 }));
    out(`${manifests.length} manifests in ${values.out} (the Secret obsdeck-auth holds credentials generated for the cluster; keep it out of version control)`);
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
