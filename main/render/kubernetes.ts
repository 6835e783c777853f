// The same stack as Kubernetes manifests (`obsdeck render kubernetes`): a namespace; the API as
// a Deployment with replicas behind a Service; Prometheus discovering the API's pods itself
// (kubernetes_sd_configs, role pod, with the RBAC that needs), Alertmanager and Grafana; the
// configs as ConfigMaps and the credentials as a Secret generated for the cluster (never the
// laptop's); and, for clusters running kube-prometheus-stack, a ServiceMonitor and a
// PrometheusRule carrying the same scrape and rules. Validated against the Kubernetes API
// schemas (kubernetes-models) in the tests; no cluster runs here.
import crypto from 'node:crypto';
import bcrypt from 'bcryptjs';
import { EMPTY_SLO_RULES } from '../slo/files.js';
import { parse, parseDocument, stringify } from 'yaml';
import type { ServiceSpec, StackSpec } from '../stack/compose.js';

export interface Manifest { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; [k: string]: unknown }

export interface RenderOptions {
  namespace?: string;
  /** Replicas per service (the API: 3 by default; the others run one). */
  replicas?: Record<string, number>;
  /** The config files' text: prometheus.yml, prometheus_rules.yml, alertmanager.yml, and the objectives' generated rules. */
  files: Record<'prometheus.yml' | 'prometheus_rules.yml' | 'alertmanager.yml', string> & { 'slo_rules.yml'?: string };
  /**
   * This machine's generated secrets, by variable (secrets.json): an environment entry holding one
   * of them (API_ADMIN_PASSWORD, or GF_SECURITY_ADMIN_PASSWORD made from GRAFANA_ADMIN_PASSWORD)
   * is rendered as a secretKeyRef to a value generated for the cluster, never with this value.
   */
  secrets?: Record<string, string | undefined>;
  /** The Secret's values from an earlier render: kept (Grafana and the API read an admin password only when their database is made). */
  existing?: Record<string, string>;
  /** Generate every value anew, even over an earlier render's. */
  rotate?: boolean;
}

/** The Secret every credential of the rendered stack lives in. */
export const SECRET_NAME = 'obsdeck-auth';

/** A Kubernetes name for a compose service (DNS-1035: no underscores). */
export const k8sName = (service: string) => service.toLowerCase().replace(/[^a-z0-9-]/g, '-');

const USER = 'obsdeck';
const APP = 'app.kubernetes.io/name';
const PART = 'app.kubernetes.io/part-of';

/** Prometheus' config for the cluster: the API job discovers the API's pods (role pod), kept by label and port. */
export function prometheusForKubernetes(text: string, apiService: string, namespace: string): string {
  const doc = parseDocument(text);
  const jobs = doc.get('scrape_configs') as { items: { get(k: string): unknown; set(k: string, v: unknown): void; delete(k: string): void }[] } | undefined;
  const targetsOf = (job: { get(k: string): unknown }) => (job.get('static_configs') as { toJSON(): { targets?: string[] }[] } | undefined)?.toJSON().flatMap((s) => s.targets ?? []) ?? [];
  // A job that scrapes the machine running the app (the app's vitals) has nothing to scrape in a
  // cluster, which has the kubelet's cAdvisor for the same figures.
  if (jobs) jobs.items = jobs.items.filter((job) => { const t = targetsOf(job); return !t.length || !t.every((x) => x.startsWith('host.docker.internal:')); });
  for (const job of jobs?.items ?? []) {
    const statics = job.get('static_configs') as { toJSON(): { targets?: string[] }[] } | undefined;
    const targets = targetsOf(job);
    const m = targets.length === 1 ? new RegExp(`^${apiService}:(\\d+)$`).exec(targets[0]!) : null;
    if (!m) {
      // Other services keep their static targets, under their Kubernetes Service names.
      if (statics) job.set('static_configs', statics.toJSON().map((s) => ({ ...s, targets: (s.targets ?? []).map((t) => t.replace(/^([\w.-]+):/, (_, h: string) => `${k8sName(h)}:`)) })));
      continue;
    }
    job.delete('static_configs');
    job.set('kubernetes_sd_configs', [{ role: 'pod', namespaces: { names: [namespace] } }]);
    job.set('relabel_configs', [
      { source_labels: [`__meta_kubernetes_pod_label_${APP.replace(/[./-]/g, '_')}`], regex: k8sName(apiService), action: 'keep' },
      { source_labels: ['__meta_kubernetes_pod_container_port_number'], regex: m[1], action: 'keep' },
      { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' },
      { source_labels: ['__meta_kubernetes_pod_node_name'], target_label: 'node' },
    ]);
  }
  const alerting = doc.getIn(['alerting', 'alertmanagers']) as { toJSON(): { static_configs?: { targets?: string[] }[] }[] } | undefined;
  if (alerting) {
    doc.setIn(['alerting', 'alertmanagers'], alerting.toJSON().map((a) => ({ ...a, static_configs: (a.static_configs ?? []).map((s) => ({ targets: (s.targets ?? []).map((t) => t.replace(/^([\w.-]+):/, (_, h: string) => `${k8sName(h)}:`)) })) })));
  }
  return doc.toString();
}

function configMap(name: string, namespace: string, data: Record<string, string>): Manifest {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, labels: { [PART]: 'obsdeck' } }, data };
}

type EnvVar = { name: string; value: string } | { name: string; valueFrom: { secretKeyRef: { name: string; key: string } } };

function deployment(s: ServiceSpec, namespace: string, replicas: number, volumes: { name: string; mountPath: string; source: Record<string, unknown>; readOnly?: boolean; subPath?: string }[], env: EnvVar[], extra: Record<string, unknown> = {}): Manifest {
  const name = k8sName(s.name);
  const labels = { [APP]: name, [PART]: 'obsdeck' };
  const probePath = s.name === 'api_poc3' ? '/health' : s.name === 'grafana' ? '/api/health' : undefined;
  const port = s.ports[0]?.containerPort;
  // Swarm and compose keep one writer on a volume; so does a Deployment with Recreate.
  const single = volumes.some((v) => 'persistentVolumeClaim' in v.source) && replicas === 1;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels },
    spec: {
      replicas,
      selector: { matchLabels: { [APP]: name } },
      ...(single ? { strategy: { type: 'Recreate' } } : {}),
      template: {
        metadata: { labels },
        spec: {
          ...extra,
          containers: [{
            name,
            image: s.chosenOver ?? s.standInFor ?? s.image,
            ...(s.entrypoint ? { command: s.entrypoint } : {}),
            ...(s.command ? { args: s.command } : {}),
            env,
            ...(port ? { ports: [{ name: 'http', containerPort: port }] } : {}),
            ...(port && probePath ? { readinessProbe: { httpGet: { path: probePath, port } }, livenessProbe: { httpGet: { path: probePath, port }, initialDelaySeconds: 20 } } : {}),
            volumeMounts: volumes.map((v) => ({ name: v.name, mountPath: v.mountPath, ...(v.subPath ? { subPath: v.subPath } : {}), ...(v.readOnly ? { readOnly: true } : {}) })),
            securityContext: { allowPrivilegeEscalation: false },
          }],
          volumes: volumes.filter((v, i, all) => all.findIndex((x) => x.name === v.name) === i).map((v) => ({ name: v.name, ...v.source })),
        },
      },
    },
  };
}

function service(s: ServiceSpec, namespace: string): Manifest | undefined {
  const port = s.ports[0]?.containerPort;
  if (!port) return undefined;
  const name = k8sName(s.name);
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace, labels: { [APP]: name, [PART]: 'obsdeck' } }, spec: { selector: { [APP]: name }, ports: [{ name: 'http', port, targetPort: port }] } };
}

function claim(name: string, namespace: string, size: string, shared: boolean): Manifest {
  return {
    apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace, labels: { [PART]: 'obsdeck' } },
    // The API's replicas share one SQLite database: that needs a ReadWriteMany storage class.
    spec: { accessModes: [shared ? 'ReadWriteMany' : 'ReadWriteOnce'], resources: { requests: { storage: size } } },
  };
}

/** Prometheus' and Alertmanager's web config for the stack's user: an earlier render's when it is for the same password. */
function webConfig(password: string, existing: Record<string, string> | undefined): string {
  const earlier = existing?.['web.yml'];
  if (earlier && existing?.password === password) return earlier;
  return stringify({ basic_auth_users: { [USER]: bcrypt.hashSync(password, 10) } });
}

/** Every manifest of the stack, in the order `kubectl apply` should take them. */
export function renderKubernetes(spec: StackSpec, opts: RenderOptions): Manifest[] {
  const ns = opts.namespace ?? 'obsdeck';
  const out: Manifest[] = [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { [PART]: 'obsdeck' } } }];
  const api = spec.services.find((s) => s.name.startsWith('api'));
  const replicasOf = (s: ServiceSpec) => opts.replicas?.[s.name] ?? (s === api ? 3 : 1);
  // Generated for the cluster (or kept from an earlier render): the laptop's passwords never leave it.
  const values: Record<string, string> = {};
  const clusterValue = (key: string, bytes = 18) => (values[key] ??= (!opts.rotate && opts.existing?.[key]) || crypto.randomBytes(bytes).toString('base64url'));
  const password = clusterValue('password');
  const webhookToken = clusterValue('webhook-token', 24);
  const laptop = Object.entries(opts.secrets ?? {}).filter((e): e is [string, string] => !!e[1]);
  /** A service's environment: a value that is one of this machine's secrets becomes a reference into the Secret. */
  const envOf = (s: ServiceSpec): EnvVar[] => Object.entries(s.environment).filter(([, v]) => v !== '').map(([name, value]) => {
    const variable = laptop.find(([k, v]) => k === name || v === value)?.[0];
    if (!variable) return { name, value };
    const key = variable.toLowerCase().replace(/_/g, '-');
    clusterValue(key);
    return { name, valueFrom: { secretKeyRef: { name: SECRET_NAME, key } } };
  });
  const secret: Manifest & { stringData: Record<string, string> } = {
    apiVersion: 'v1', kind: 'Secret', metadata: { name: SECRET_NAME, namespace: ns, labels: { [PART]: 'obsdeck' } }, type: 'Opaque',
    stringData: { 'web.yml': webConfig(password, opts.rotate ? undefined : opts.existing), password, 'webhook-token': webhookToken, 'vitals-token': clusterValue('vitals-token', 24) },
  };
  out.push(secret);
  const apiName = api?.name ?? 'api_poc3';
  const sloRules = opts.files['slo_rules.yml'] ?? EMPTY_SLO_RULES;
  out.push(configMap('prometheus-config', ns, { 'prometheus.yml': prometheusForKubernetes(opts.files['prometheus.yml'], apiName, ns), 'prometheus_rules.yml': opts.files['prometheus_rules.yml'], 'slo_rules.yml': sloRules }));
  out.push(configMap('alertmanager-config', ns, { 'alertmanager.yml': opts.files['alertmanager.yml'] }));
  // Prometheus lists the namespace's pods to find the API's replicas.
  out.push({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'prometheus', namespace: ns } });
  out.push({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'prometheus-discovery', namespace: ns }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }] });
  out.push({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'prometheus-discovery', namespace: ns }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'prometheus-discovery' }, subjects: [{ kind: 'ServiceAccount', name: 'prometheus', namespace: ns }] });
  const sizes: Record<string, string> = { prometheus_data: '20Gi' };
  for (const s of spec.services) {
    const volumes: Parameters<typeof deployment>[3] = [];
    for (const m of s.mounts) {
      if (m.type === 'volume') {
        const name = k8sName(m.source);
        out.push(claim(name, ns, sizes[m.source] ?? '1Gi', s === api && replicasOf(s) > 1));
        volumes.push({ name, mountPath: m.target, source: { persistentVolumeClaim: { claimName: name } } });
      } else {
        const base = m.target.split('/').pop()!;
        if (s.name === 'prometheus' && /\.yml$/.test(base) && !m.target.includes('/auth/')) volumes.push({ name: 'config', mountPath: m.target, subPath: base, readOnly: true, source: { configMap: { name: 'prometheus-config' } } });
        else if (s.name === 'alertmanager' && base === 'alertmanager.yml') volumes.push({ name: 'config', mountPath: m.target, subPath: base, readOnly: true, source: { configMap: { name: 'alertmanager-config' } } });
        else if (m.target.includes('/auth/')) volumes.push({ name: 'auth', mountPath: m.target, subPath: base, readOnly: true, source: { secret: { secretName: SECRET_NAME } } });
      }
    }
    const extra = s.name === 'prometheus' ? { serviceAccountName: 'prometheus' } : {};
    out.push(deployment(s, ns, replicasOf(s), volumes, envOf(s), extra));
    const svc = service(s, ns);
    if (svc) out.push(svc);
  }
  // For kube-prometheus-stack: the same scrape and rules as its own resources.
  const rules = { groups: [...(parse(opts.files['prometheus_rules.yml']) as { groups: unknown[] }).groups, ...((parse(sloRules) as { groups?: unknown[] } | null)?.groups ?? [])] };
  const apiJob = (parse(opts.files['prometheus.yml']) as { scrape_configs: { job_name: string; scrape_interval?: string; metrics_path?: string }[] }).scrape_configs.find((j) => j.job_name.startsWith('poc3'));
  out.push({
    apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', metadata: { name: k8sName(apiName), namespace: ns, labels: { [PART]: 'obsdeck' } },
    spec: { selector: { matchLabels: { [APP]: k8sName(apiName) } }, endpoints: [{ port: 'http', path: apiJob?.metrics_path ?? '/metrics', interval: apiJob?.scrape_interval ?? '15s' }] },
  });
  out.push({ apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name: 'poc3-rules', namespace: ns, labels: { [PART]: 'obsdeck' } }, spec: { groups: rules.groups } });
  Object.assign(secret.stringData, values);
  return out;
}

/** The manifests as one multi-document YAML file. */
export function toYaml(manifests: Manifest[]): string {
  return manifests.map((m) => stringify(m, { lineWidth: 0 })).join('---\n');
}
