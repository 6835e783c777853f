import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ComposeError, durationSeconds, interpolate, loadCompose, serviceBase, startOrder, withDependencies } from './compose.js';

const file = path.resolve('observability', 'docker-compose.yml');
const shipped = (env: Record<string, string> = {}, configDir?: string) =>
  loadCompose(fs.readFileSync(file, 'utf8'), { file, project: 'obsdeck', env, configDir });

describe('interpolate', () => {
  it('does what Compose does', () => {
    const env = { SET: 'x', EMPTY: '' };
    expect(interpolate('${SET:-d} ${EMPTY:-d} ${EMPTY-d} ${UNSET-d} $SET $$SET ${UNSET}', env, 'f')).toBe('x d  d x $SET ');
    expect(() => interpolate('${UNSET:?set it please}', env, 'file.yml: services.a')).toThrow('file.yml: services.a: UNSET is required: set it please');
  });
});

describe('durationSeconds', () => {
  it('reads Compose durations and refuses the rest', () => {
    expect(durationSeconds('2m', 'x')).toBe(120);
    expect(durationSeconds('1m30s', 'x')).toBe(90);
    expect(durationSeconds('500ms', 'x')).toBe(0.5);
    expect(() => durationSeconds('2 minutes', 'stop_grace_period')).toThrow('stop_grace_period: "2 minutes" is not a duration');
  });
});

describe('the shipped compose file', () => {
  it('has the four services, 127.0.0.1 ports, named volumes and read-only configs, with nothing ignored', () => {
    const spec = shipped();
    expect(spec.warnings).toEqual([]);
    expect(spec.services.map((s) => s.name)).toEqual(['api_poc3', 'prometheus', 'alertmanager', 'grafana']);
    expect(spec.services.flatMap((s) => s.ports.map((p) => `${p.hostIp}:${p.hostPort}->${p.containerPort}`))).toEqual([
      '127.0.0.1:8083->8083', '127.0.0.1:9090->9090', '127.0.0.1:9093->9093', '127.0.0.1:3000->3000',
    ]);
    expect(spec.volumes).toEqual(['api_data', 'prometheus_data', 'alertmanager_data', 'grafana_data']);
    const prometheus = spec.services.find((s) => s.name === 'prometheus')!;
    expect(prometheus.mounts).toEqual([
      { type: 'volume', source: 'prometheus_data', target: '/prometheus', readOnly: false },
      { type: 'bind', source: path.resolve('observability', 'prometheus.yml'), target: '/etc/prometheus/prometheus.yml', readOnly: true },
      { type: 'bind', source: path.resolve('observability', 'prometheus_rules.yml'), target: '/etc/prometheus/prometheus_rules.yml', readOnly: true },
      { type: 'bind', source: path.resolve('observability', 'slo_rules.yml'), target: '/etc/prometheus/slo_rules.yml', readOnly: true },
      // The stack's credentials (config/stack-auth.ts): the web config and the password Prometheus signs in with.
      { type: 'bind', source: path.resolve('observability', 'auth', 'web.yml'), target: '/etc/prometheus/auth/web.yml', readOnly: true },
      { type: 'bind', source: path.resolve('observability', 'auth', 'password'), target: '/etc/prometheus/auth/password', readOnly: true },
      // And the token it scrapes the app's vitals with.
      { type: 'bind', source: path.resolve('observability', 'auth', 'vitals-token'), target: '/etc/prometheus/auth/vitals-token', readOnly: true },
    ]);
    expect(prometheus.command).toContain('--web.config.file=/etc/prometheus/auth/web.yml');
    expect(prometheus.labels['org.obsdeck.auth']).toBe('basic');
    expect(prometheus.stopGraceS).toBe(120);
    expect(prometheus.image).toBe('prom/prometheus:v3.5.0');
    expect(spec.services[0]?.build?.context).toBe(path.resolve('api'));
  });

  it('takes images, ports and the config directory from the caller', () => {
    const spec = shipped({ PROMETHEUS_IMAGE: 'obsdeck-local/prometheus:latest', PROMETHEUS_PORT: '19090' }, '/home/u/.local/share/obsdeck/config');
    const prometheus = spec.services.find((s) => s.name === 'prometheus')!;
    expect(prometheus.image).toBe('obsdeck-local/prometheus:latest');
    expect(prometheus.ports[0]).toMatchObject({ hostPort: 19090, variable: 'PROMETHEUS_PORT' });
    expect(prometheus.mounts[1]?.source).toBe('/home/u/.local/share/obsdeck/config/prometheus.yml');
    // The Grafana script's $$ reaches the container as $.
    expect(spec.services.find((s) => s.name === 'grafana')?.entrypoint?.[2]).toContain('if [ -z "$GF_SECURITY_ADMIN_PASSWORD" ]');
  });

  it('says where each published service is reached', () => {
    const spec = shipped({ PROMETHEUS_PORT: '19090' });
    expect(serviceBase(spec.services.find((s) => s.name === 'prometheus')!)).toBe('http://127.0.0.1:19090');
    expect(serviceBase(spec.services.find((s) => s.name === 'prometheus')!, 'engine.lan')).toBe('http://engine.lan:19090');
    expect(serviceBase({ ...spec.services[0]!, ports: [] })).toBeUndefined();
  });

  it('starts in dependency order, in parallel where independent', () => {
    const spec = shipped();
    expect(startOrder(spec.services).map((level) => level.map((s) => s.name))).toEqual([['api_poc3', 'alertmanager'], ['prometheus'], ['grafana']]);
    expect(withDependencies(spec, ['prometheus']).map((s) => s.name)).toEqual(['api_poc3', 'prometheus', 'alertmanager']);
    expect(() => withDependencies(spec, ['nginx'])).toThrow('no service "nginx" (the stack has api_poc3, prometheus, alertmanager, grafana)');
  });
});

describe('bad compose files', () => {
  const load = (text: string) => loadCompose(text, { file: 'c.yml', project: 'p', env: {} });

  it('names the line and column of a YAML error', () => {
    expect(() => load('services:\n  a:\n    image: x\n   bad: [\n')).toThrow(/^c\.yml:4:\d+: /);
  });

  it('warns about each key it does not support', () => {
    const spec = load('x-common: {}\nservices:\n  a:\n    image: x\n    cpus: 2\n    privileged: true\n');
    expect(spec.warnings).toEqual(['c.yml: top-level "x-common" is ignored', 'c.yml: services.a: "cpus" is ignored', 'c.yml: services.a: "privileged" is ignored']);
  });

  it('refuses undeclared volumes, unknown dependencies, cycles and bad ports', () => {
    expect(() => load('services:\n  a:\n    image: x\n    volumes: [data:/d]\n')).toThrow('volume "data" is not declared');
    expect(() => load('services:\n  a:\n    image: x\n    depends_on: [b]\n')).toThrow('depends on "b", which is not a service');
    expect(() => load('services:\n  a:\n    image: x\n    depends_on: [b]\n  b:\n    image: y\n    depends_on: [a]\n')).toThrow(ComposeError);
    expect(() => load('services:\n  a:\n    image: x\n    ports: ["80:http"]\n')).toThrow('port "80:http" is not');
  });
});
