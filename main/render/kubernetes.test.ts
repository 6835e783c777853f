// The Kubernetes rendering of the shipped stack, validated manifest by manifest against the
// Kubernetes API's schemas (kubernetes-models) and the prometheus-operator CRDs' schemas, and
// checked for what a user would look for: the API replicated, Prometheus discovering its pods.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { loadCompose } from '../stack/compose.js';
import { renderKubernetes, toYaml, type Manifest } from './kubernetes.js';

const dir = 'observability';
const spec = loadCompose(fs.readFileSync(path.join(dir, 'docker-compose.yml'), 'utf8'), { file: path.resolve(dir, 'docker-compose.yml'), project: 'obsdeck', env: {} });
const files = {
  'prometheus.yml': fs.readFileSync(path.join(dir, 'prometheus.yml'), 'utf8'),
  'prometheus_rules.yml': fs.readFileSync(path.join(dir, 'prometheus_rules.yml'), 'utf8'),
  'alertmanager.yml': fs.readFileSync(path.join(dir, 'alertmanager.yml'), 'utf8'),
};
const MODELS: Record<string, new (m: never) => { validate(): void }> = {
  Namespace, ConfigMap, Secret, Service, ServiceAccount, PersistentVolumeClaim, Deployment, Role, RoleBinding, ServiceMonitor, PrometheusRule,
};

describe('obsdeck render kubernetes', () => {
  const manifests = renderKubernetes(spec, { files, replicas: { api_poc3: 4 } });
  const find = (kind: string, name: string) => manifests.find((m) => m.kind === kind && m.metadata.name === name)!;

  it('writes only manifests the Kubernetes API schemas accept', () => {
    for (const m of manifests) {
      const Model = MODELS[m.kind];
      expect(Model, `a schema for ${m.kind}`).toBeDefined();
      expect(() => new Model!(m as never).validate(), `${m.kind}/${m.metadata.name}`).not.toThrow();
    }
    expect(manifests.map((m) => m.kind)).toEqual(expect.arrayContaining(['Namespace', 'Deployment', 'Service', 'ConfigMap', 'Secret', 'ServiceMonitor', 'PrometheusRule']));
    // And the schemas would catch a mistake: a Deployment without its selector is refused.
    const broken = structuredClone(find('Deployment', 'api-poc3')) as Manifest & { spec: Record<string, unknown> };
    delete broken.spec.selector;
    expect(() => new Deployment(broken as never).validate()).toThrow(/selector/);
  });

  it('runs the API with the replicas asked for, sharing one ReadWriteMany volume', () => {
    const api = find('Deployment', 'api-poc3') as Manifest & { spec: { replicas: number; template: { spec: { containers: { ports: { containerPort: number }[] }[] } } } };
    expect(api.spec.replicas).toBe(4);
    expect(api.spec.template.spec.containers[0]!.ports[0]!.containerPort).toBe(8083);
    expect((find('PersistentVolumeClaim', 'api-data') as Manifest & { spec: { accessModes: string[] } }).spec.accessModes).toEqual(['ReadWriteMany']);
  });

  it('has Prometheus discover the API\'s pods (role pod) with the RBAC for it, and every other target by its Service name', () => {
    const prom = parse((find('ConfigMap', 'prometheus-config') as Manifest & { data: Record<string, string> }).data['prometheus.yml']!) as { scrape_configs: Record<string, unknown>[]; alerting: { alertmanagers: { static_configs: { targets: string[] }[] }[] } };
    const job = prom.scrape_configs.find((j) => j.job_name === 'poc3-security')!;
    expect(job.static_configs).toBeUndefined();
    expect(job.kubernetes_sd_configs).toEqual([{ role: 'pod', namespaces: { names: ['obsdeck'] } }]);
    expect(job.relabel_configs).toEqual(expect.arrayContaining([expect.objectContaining({ regex: 'api-poc3', action: 'keep' }), expect.objectContaining({ regex: '8083', action: 'keep' })]));
    expect(prom.alerting.alertmanagers[0]!.static_configs[0]!.targets).toEqual(['alertmanager:9093']);
    // The app's vitals are scraped from the machine running the app: a cluster has its kubelet's cAdvisor instead.
    expect(prom.scrape_configs.map((j) => j.job_name)).toEqual(['poc3-security', 'prometheus', 'alertmanager']);
    expect((parse(files['prometheus.yml']) as { scrape_configs: { job_name: string }[] }).scrape_configs.map((j) => j.job_name)).toContain('obsdeck-vitals');
    expect((find('Role', 'prometheus-discovery') as Manifest & { rules: { resources: string[]; verbs: string[] }[] }).rules[0]).toMatchObject({ resources: ['pods'], verbs: ['get', 'list', 'watch'] });
    expect((find('Deployment', 'prometheus') as Manifest & { spec: { template: { spec: { serviceAccountName: string } } } }).spec.template.spec.serviceAccountName).toBe('prometheus');
  });

  it('carries the same rules and scrape for kube-prometheus-stack, and generates the cluster\'s credentials', () => {
    const rule = find('PrometheusRule', 'poc3-rules') as Manifest & { spec: { groups: { name: string }[] } };
    expect(rule.spec.groups.map((g) => g.name)).toEqual((parse(files['prometheus_rules.yml']) as { groups: { name: string }[] }).groups.map((g) => g.name));
    expect((find('ServiceMonitor', 'api-poc3') as Manifest & { spec: { endpoints: { interval: string }[] } }).spec.endpoints[0]!.interval).toBe('5s');
    const a = (find('Secret', 'obsdeck-auth') as Manifest & { stringData: Record<string, string> }).stringData;
    const b = (renderKubernetes(spec, { files }).find((m) => m.kind === 'Secret') as Manifest & { stringData: Record<string, string> }).stringData;
    expect(a.password).not.toBe(b.password); // generated each time, never a fixed value
    expect(a['web.yml']).toMatch(/basic_auth_users:\n {2}obsdeck: \$2[aby]\$/);
    // Every credential file the compose file mounts into a service is a key of the Secret (a subPath of a missing key fails the pod).
    expect(Object.keys(a).sort()).toEqual(['password', 'vitals-token', 'web.yml', 'webhook-token']);
  });

  it('reads back as the same documents from its YAML', () => {
    const docs = parseAllDocuments(toYaml(manifests)).map((d) => d.toJSON() as Manifest);
    expect(docs).toEqual(manifests);
  });

  it('is what `obsdeck render kubernetes --out DIR` writes: one valid manifest per file, the Secret readable by its owner only', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'obsdeck-k8s-'));
    const bin = path.resolve('bin', 'obsdeck.js');
    execFileSync(process.execPath, [bin, 'render', 'kubernetes', '--out', out, '--replicas', 'api_poc3=5', '--namespace', 'poc3-staging'], { env: { ...process.env, NO_COLOR: '1' } });
    const written = fs.readdirSync(out).sort();
    expect(written[0]).toBe('00-namespace-poc3-staging.yaml');
    for (const f of written) {
      const docs = parseAllDocuments(fs.readFileSync(path.join(out, f), 'utf8'));
      expect(docs).toHaveLength(1);
      const m = docs[0]!.toJSON() as Manifest;
      expect(() => new MODELS[m.kind]!(m as never).validate(), f).not.toThrow();
      if (m.kind !== 'Namespace') expect(m.metadata.namespace, f).toBe('poc3-staging');
      if (m.kind === 'Deployment' && m.metadata.name === 'api-poc3') expect((m as Manifest & { spec: { replicas: number } }).spec.replicas).toBe(5);
      if (m.kind === 'Secret') expect(fs.statSync(path.join(out, f)).mode & 0o077).toBe(0);
    }
    const bad = spawnSync(process.execPath, [bin, 'render', 'kubernetes', '--replicas', 'nope=2'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/no service "nope"; the stack has api_poc3/);
    fs.rmSync(out, { recursive: true });
  });

  describe('with this machine\'s secrets', () => {
    const laptop = { API_ADMIN_PASSWORD: 'laptop-admin-0123456789', API_USER_PASSWORD: 'laptop-user-0123456789', GRAFANA_ADMIN_PASSWORD: 'laptop-grafana-0123456789', STACK_WEB_PASSWORD: 'laptop-web-0123456789', OBSDECK_WEBHOOK_TOKEN: 'laptop-hook-0123456789' };
    const withLaptop = loadCompose(fs.readFileSync(path.join(dir, 'docker-compose.yml'), 'utf8'), { file: path.resolve(dir, 'docker-compose.yml'), project: 'obsdeck', env: laptop });
    const secretOf = (ms: Manifest[]) => (ms.find((m) => m.kind === 'Secret') as Manifest & { stringData: Record<string, string> }).stringData;

    it('writes none of them: the Deployments refer to values generated for the cluster', () => {
      const ms = renderKubernetes(withLaptop, { files, secrets: laptop });
      const text = toYaml(ms);
      for (const v of Object.values(laptop)) expect(text).not.toContain(v);
      const envOf = (name: string) => (ms.find((m) => m.kind === 'Deployment' && m.metadata.name === name) as Manifest & { spec: { template: { spec: { containers: { env: { name: string; valueFrom?: { secretKeyRef: { name: string; key: string } } }[] }[] } } } }).spec.template.spec.containers[0]!.env;
      expect(envOf('api-poc3').find((e) => e.name === 'API_ADMIN_PASSWORD')?.valueFrom).toEqual({ secretKeyRef: { name: 'obsdeck-auth', key: 'api-admin-password' } });
      expect(envOf('grafana').find((e) => e.name === 'GF_SECURITY_ADMIN_PASSWORD')?.valueFrom).toEqual({ secretKeyRef: { name: 'obsdeck-auth', key: 'grafana-admin-password' } });
      const secret = secretOf(ms);
      expect(secret['api-admin-password']).toMatch(/^[\w-]{24}$/);
      expect(secret['grafana-admin-password']).toMatch(/^[\w-]{24}$/);
      expect(() => new Secret(ms.find((m) => m.kind === 'Secret') as never).validate()).not.toThrow();
    });

    it('keeps an earlier render\'s values, unless asked to rotate them', () => {
      const first = secretOf(renderKubernetes(withLaptop, { files, secrets: laptop }));
      const again = secretOf(renderKubernetes(withLaptop, { files, secrets: laptop, existing: first }));
      expect(again['api-admin-password']).toBe(first['api-admin-password']);
      expect(again.password).toBe(first.password);
      expect(again['webhook-token']).toBe(first['webhook-token']);
      const rotated = secretOf(renderKubernetes(withLaptop, { files, secrets: laptop, existing: first, rotate: true }));
      expect(rotated['api-admin-password']).not.toBe(first['api-admin-password']);
      expect(rotated.password).not.toBe(first.password);
    });
  });

  it('re-renders into DIR keeping the Secret, with its own mode, and replaces a symlink rather than writing through it', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'obsdeck-k8s-'));
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'obsdeck-k8s-home-'));
    const bin = path.resolve('bin', 'obsdeck.js');
    const env = { ...process.env, NO_COLOR: '1', OBSDECK_HOME: home };
    const render = (...extra: string[]) => execFileSync(process.execPath, [bin, 'render', 'kubernetes', '--out', out, ...extra], { env, encoding: 'utf8' });
    render();
    const secretFile = path.join(out, fs.readdirSync(out).find((f) => f.endsWith('-secret-obsdeck-auth.yaml'))!);
    const before = (parse(fs.readFileSync(secretFile, 'utf8')) as { stringData: Record<string, string> }).stringData;
    // The laptop's own secrets (made by the first run in OBSDECK_HOME) are in no file.
    const mine = JSON.parse(fs.readFileSync(path.join(home, 'secrets.json'), 'utf8')) as Record<string, string>;
    const all = fs.readdirSync(out).map((f) => fs.readFileSync(path.join(out, f), 'utf8')).join('\n');
    for (const v of Object.values(mine).filter((x) => typeof x === 'string' && x.length >= 12)) expect(all).not.toContain(v);
    fs.chmodSync(secretFile, 0o644);
    const target = path.join(home, 'elsewhere.yaml');
    const nsFile = path.join(out, fs.readdirSync(out).find((f) => f.startsWith('00-namespace-'))!);
    fs.rmSync(nsFile);
    fs.symlinkSync(target, nsFile);
    expect(render()).toMatch(/kept from the earlier render/);
    expect((parse(fs.readFileSync(secretFile, 'utf8')) as { stringData: Record<string, string> }).stringData).toEqual(before);
    expect(fs.statSync(secretFile).mode & 0o777).toBe(0o600);
    expect(fs.existsSync(target)).toBe(false);
    expect(fs.lstatSync(nsFile).isFile()).toBe(true);
    render('--rotate');
    expect((parse(fs.readFileSync(secretFile, 'utf8')) as { stringData: Record<string, string> }).stringData.password).not.toBe(before.password);
    fs.writeFileSync(secretFile, 'stringData: [unclosed');
    const bad = spawnSync(process.execPath, [bin, 'render', 'kubernetes', '--out', out], { env, encoding: 'utf8' });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain(`${secretFile} is damaged`);
    expect(fs.readFileSync(secretFile, 'utf8')).toBe('stringData: [unclosed');
    fs.rmSync(out, { recursive: true, force: true });
    fs.rmSync(home, { recursive: true, force: true });
  });
});
