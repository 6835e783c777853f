// The stack engine (main/stack, main/config, main/prom) and the CLI on the real engine, with the
// test images and without Grafana: what a user of `obsdeck up|status|validate|apply|down` sees.
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplyRefused, ApplyRolledBack, applyConfigs, filesIn } from '../../main/config/change.js';
import { formatProblem } from '../../main/config/expressions.js';
import { ConfigHistory } from '../../main/config/store.js';
import { validateConfigs } from '../../main/config/validate.js';
import { AlertmanagerClient, PrometheusClient } from '../../main/prom/client.js';
import { loadSpec } from '../../main/config/project.js';
import { containerLines } from '../../main/stack/logs.js';
import { LABEL, PreflightError, ServiceFailed, Stack, type ServiceStatus, type StackEvent } from '../../main/stack/stack.js';
import { StatusWatcher } from '../../main/stack/watch.js';
import { versionOfTexts } from '../../main/stack/config-version.js';
import { waitFor } from '../helpers/http.js';
import { freePort } from '../helpers/net.js';
import { requireImages, testImages } from '../helpers/images.js';
import { removeStack, stackEnv } from '../helpers/stack.js';

const docker = new Docker();
const SERVICES = ['api_poc3', 'prometheus', 'alertmanager'];
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'obsdeck-home-'));
const passwords = { admin: crypto.randomBytes(12).toString('base64url') };


let env: NodeJS.ProcessEnv;
function stackFor(project: string, overrides: NodeJS.ProcessEnv = {}): { stack: Stack; configDir: string } {
  const { spec, configDir } = loadSpec({ project, env: { ...env, ...overrides }, data: home });
  return { stack: new Stack(docker, spec), configDir };
}

/** Everything of a project the engine holds: containers, networks, volumes. */
async function leftovers(project: string): Promise<string[]> {
  const filter = { label: [`${LABEL.project}=${project}`] };
  const containers = await docker.listContainers({ all: true, filters: filter });
  const networks = await docker.listNetworks({ filters: filter });
  const volumes = (await docker.listVolumes({ filters: filter })).Volumes ?? [];
  return [...containers.map((c) => c.Names[0] ?? c.Id), ...networks.map((n) => n.Name), ...volumes.map((v) => v.Name)];
}

async function cli(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [path.resolve('bin', 'obsdeck.js'), ...args], { env: { ...env, ...extraEnv, NO_COLOR: '1' } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const project = `obsdeck-it-${process.pid}`;
let stack: Stack;
let configDir: string;
let prom: PrometheusClient;
const events: StackEvent[] = [];
/** When Prometheus held the three logins (before the API's crash restarts its counters). */
let trafficAt = 0;

beforeAll(async () => {
  await requireImages(docker, [testImages.prometheus, testImages.alertmanager, testImages.api]);
  env = await stackEnv(project, home, { API_ADMIN_PASSWORD: passwords.admin });
  ({ stack, configDir } = stackFor(project));
  prom = new PrometheusClient(`http://127.0.0.1:${env.PROMETHEUS_PORT}`);
});

afterAll(() => removeStack(stack, home), 240_000);

describe('pre-flight: nothing is created when the stack cannot start', () => {
  it('a port taken before up names the port, the service, who holds it and a free one', async () => {
    const other = `${project}-port`;
    const taken = net.createServer();
    await new Promise<void>((r) => taken.listen(Number(env.ALERTMANAGER_PORT), '127.0.0.1', r));
    try {
      const { stack: s } = stackFor(other);
      const err = await s.up(SERVICES).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(PreflightError);
      const message = (err as Error).message;
      expect(message).toContain(`port ${env.ALERTMANAGER_PORT} on 127.0.0.1 for alertmanager is in use by node (pid ${process.pid})`);
      expect(message).toMatch(/set ALERTMANAGER_PORT=\d+ to use a free port instead/);
      expect(await leftovers(other)).toEqual([]);
    } finally {
      taken.close();
    }
  });

  it('an image that cannot be had is named with how to get it; it and what needs it are skipped, never half-started', async () => {
    const other = `${project}-image`;
    const { stack: s } = stackFor(other, { ALERTMANAGER_IMAGE: 'obsdeck-missing/alertmanager:none', API_PORT: String(await freePort()) });
    try {
      // Alone, it cannot start at all: refused with the reason, and nothing is created.
      const err = await s.up(['alertmanager']).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(PreflightError);
      expect((err as Error).message).toMatch(/image obsdeck-missing\/alertmanager:none for alertmanager is not on the engine and cannot be pulled \(.+\); import it \(Images → Import\), or build a stand-in with `npm run images:local`/);
      expect(await leftovers(other)).toEqual([]);
      // With the others: Alertmanager and Prometheus (which needs it) are skipped, the API starts.
      const { skipped } = await s.up(SERVICES, undefined, { wait: true });
      expect(skipped.map((k) => `${k.service}: ${k.why}`)).toEqual([
        'alertmanager: image unavailable: obsdeck-missing/alertmanager:none is not on the engine and cannot be pulled; import it (Images → Import), or build a stand-in with `npm run images:local`',
        'prometheus: needs alertmanager, which cannot start',
      ]);
      const containers = (await leftovers(other)).filter((n) => n.startsWith('/'));
      expect(containers).toEqual([`/${other}-api_poc3-1`]);
    } finally {
      await s.down(undefined, { volumes: true });
    }
  });
});

describe('a service that cannot come up', () => {
  it('fails the up with the reason and its last log lines', async () => {
    const other = `${project}-crash`;
    const { stack: s } = stackFor(other, { API_PORT: String(await freePort()), PROMETHEUS_PORT: String(await freePort()), ALERTMANAGER_PORT: String(await freePort()) });
    // Make the API refuse to start: its JWT secret is too short.
    s.service('api_poc3').environment.API_JWT_SECRET = 'c2hvcnQ=';
    const seen: StackEvent[] = [];
    try {
      const err = await s.up(['api_poc3'], (e) => seen.push(e), { wait: true }).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(ServiceFailed);
      expect((err as Error).message).toMatch(/^api_poc3 (keeps restarting \(exit code 1\)|stopped with exit code 1); its last log lines:\n.*API_JWT_SECRET must hold at least 32 bytes/s);
      expect(seen.filter((e) => e.state === 'failed').map((e) => `${e.step} ${e.service ?? ''}`)).toEqual(['ready api_poc3']);
    } finally {
      await s.down(undefined, { volumes: true });
    }
  });
});

describe('the command line without an engine', () => {
  it('`obsdeck engine` and `obsdeck status` exit 3 and say what was tried', async () => {
    const gone = { DOCKER_HOST: 'unix:///nonexistent/docker.sock' };
    const engine = await cli(['engine'], gone);
    expect(engine.code).toBe(3);
    expect(engine.stdout).toContain('unix:///nonexistent/docker.sock');
    const status = await cli(['status'], gone);
    expect(status.code).toBe(3);
    expect(status.stderr).toMatch(/no Docker engine is reachable/);
    const usage = await cli(['up', '--fast']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('unknown option --fast');
  });
});

describe('up, status, logs', () => {
  it('brings every service up in dependency order until each answers its readiness probe', async () => {
    await stack.up(SERVICES, (e) => events.push(e), { wait: true });
    const ready = events.filter((e) => e.step === 'ready' && e.state === 'done').map((e) => e.service);
    expect(ready.sort()).toEqual([...SERVICES].sort());
    const started = (name: string) => events.findIndex((e) => e.step === 'start' && e.state === 'done' && e.service === name);
    expect(started('prometheus')).toBeGreaterThan(started('api_poc3'));
    expect(started('prometheus')).toBeGreaterThan(started('alertmanager'));
    // Prometheus' container is created (its configs copied in) while the others start, not
    // after: only the starts wait on each other.
    const creating = events.findIndex((e) => e.step === 'create' && e.state === 'started' && e.service === 'prometheus');
    expect(creating).toBeGreaterThanOrEqual(0);
    expect(creating).toBeLessThan(Math.min(started('api_poc3'), started('alertmanager')));
    expect(events.filter((e) => e.state === 'failed')).toEqual([]);
  });

  it('labels the containers as Compose does, so an app restart finds the stack again', async () => {
    const again = stackFor(project).stack; // a fresh instance: what the app has after a restart
    const found = await again.containers();
    expect([...found.keys()].sort()).toEqual([...SERVICES].sort());
    for (const [service, c] of found) {
      expect(c.Labels[LABEL.project]).toBe(project);
      expect(c.Labels[LABEL.service]).toBe(service);
      expect(c.Names[0]).toBe(`/${project}-${service}-1`);
    }
  });

  it('`obsdeck status --json` lists each service with its state and readiness', async () => {
    const r = await cli(['status', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const list = JSON.parse(r.stdout) as { service: string; state: string; ready: boolean; ports: { host: string }[] }[];
    expect(list.map((s) => [s.service, s.state, s.ready])).toEqual([
      ['api_poc3', 'running', true], ['prometheus', 'running', true], ['alertmanager', 'running', true], ['grafana', 'missing', false],
    ]);
    for (const s of list.filter((x) => x.state === 'running')) expect(s.ports.every((p) => p.host === '127.0.0.1')).toBe(true);
  });

  it('up again leaves the running stack alone', async () => {
    const before = [...(await stack.containers()).values()].map((c) => c.Id).sort();
    const again: StackEvent[] = [];
    await stack.up(SERVICES, (e) => again.push(e));
    expect(again.filter((e) => e.step === 'start').map((e) => e.state)).toEqual(['skipped', 'skipped', 'skipped']);
    expect([...(await stack.containers()).values()].map((c) => c.Id).sort()).toEqual(before);
  });

  it('up replaces a container whose definition changed, and only that one', async () => {
    const before = new Map([...(await stack.containers())].map(([k, c]) => [k, c.Id]));
    const changed = stackFor(project, { API_LOG_LEVEL: 'warn' }).stack;
    const seen: StackEvent[] = [];
    await changed.up(SERVICES, (e) => seen.push(e));
    const after = new Map([...(await changed.containers())].map(([k, c]) => [k, c.Id]));
    expect(after.get('api_poc3')).not.toBe(before.get('api_poc3'));
    expect(after.get('prometheus')).toBe(before.get('prometheus'));
    expect(after.get('alertmanager')).toBe(before.get('alertmanager'));
    expect(seen.find((e) => e.step === 'remove')?.message).toBe("api_poc3's definition changed: replacing its container");
    const env = (await docker.getContainer(after.get('api_poc3')!).inspect()).Config.Env;
    expect(env).toContain('API_LOG_LEVEL=warn');
    // And back: the original definition replaces it again.
    await stack.up(SERVICES, undefined, { wait: true });
    const restored = (await stack.containers()).get('api_poc3')!;
    expect((await docker.getContainer(restored.Id).inspect()).Config.Env).toContain('API_LOG_LEVEL=info');
  });

  it('Prometheus scrapes the API, and traffic shows up in queries', async () => {
    await waitFor('the poc3-security target up', async () => {
      const t = (await prom.targets('active')).activeTargets.find((x) => x.labels.job === 'poc3-security');
      return t?.health === 'up' ? t : undefined;
    }, 30_000, 500);
    const api = `http://127.0.0.1:${env.API_PORT}`;
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${api}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: passwords.admin }) });
      expect(res.status).toBe(200);
    }
    const logins = await waitFor('the logins in Prometheus', async () => {
      const v = await prom.value('sum(http_requests_total{job="poc3-security", endpoint="/auth/login", status="200"})');
      return v !== undefined && v >= 3 ? v : undefined;
    }, 30_000, 500);
    expect(logins).toBe(3);
    trafficAt = Date.now() / 1000;
  });

  it('the typed Prometheus and Alertmanager clients answer, and errors read well', async () => {
    expect((await prom.buildInfo()).version).toMatch(/^[23]\./);
    expect((await prom.flags())['storage.tsdb.retention.time']).toBe('30d');
    expect(await prom.labelValues('job')).toContain('poc3-security');
    expect((await prom.series(['jwt_active_tokens'])).map((x) => x.job)).toEqual(['poc3-security']);
    // Every target's first scrape lands within a scrape interval or two of ready; on a loaded
    // machine (the run with the Swarm and remote-engine tests beside it) 95 were in at first.
    await expect.poll(async () => (await prom.tsdb()).headStats.numSeries, { timeout: 30_000, interval: 1000 }).toBeGreaterThan(100);
    expect((await prom.rules()).groups.map((g) => g.name).sort()).toEqual(['obsdeck_watchdog', 'poc3_security', 'poc3_sli', 'slo:api-availability', 'slo:api-latency']);
    await expect(prom.query('rate(x[5m]) by (a)')).rejects.toThrow(/^query: bad_data: .*parse error/);
    const nobody = await freePort();
    await expect(new PrometheusClient(`http://127.0.0.1:${nobody}`).targets()).rejects.toThrow(`targets: http://127.0.0.1:${nobody} connection refused (is it running?)`);
    const am = new AlertmanagerClient(`http://127.0.0.1:${env.ALERTMANAGER_PORT}`);
    expect((await am.status()).cluster.status).toBe('disabled');
    const id = await am.createSilence({ matchers: [{ name: 'alertname', value: 'NoActiveTokens', isRegex: false }], endsAt: new Date(Date.now() + 3600_000).toISOString(), createdBy: 'obsdeck test', comment: 'idle stack' });
    expect((await am.silences()).find((x) => x.id === id)?.status.state).toBe('active');
    await am.expireSilence(id);
    expect((await am.silences()).find((x) => x.id === id)?.status.state).toBe('expired');
  });

  it('follows logs as lines with timestamps, filtered on the Node side', async () => {
    const info = (await stack.containers()).get('prometheus')!;
    const lines = [];
    for await (const l of containerLines(docker.getContainer(info.Id), 'prometheus', { grep: /Server is ready/ })) lines.push(l);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ service: 'prometheus', stream: 'stderr' });
    expect(lines[0]!.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z$/);
    const r = await cli(['logs', 'api_poc3', '--tail', '5', '--grep', 'Server listening']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^api_poc3 \d{4}-\d\d-\d\dT[\d:.]+ .*Server listening at http:\/\/127\.0\.0\.1:8083/m);
  });

  it('a crashed container shows in the live status (from Docker events) with its restart and last log lines', async () => {
    const watcher = new StatusWatcher(stack);
    const seen: ServiceStatus[] = [];
    watcher.on('change', (list) => seen.push(list.find((x) => x.service === 'api_poc3')!));
    await watcher.start();
    try {
      expect(watcher.snapshot().map((x) => [x.service, x.state, x.ready])).toEqual([
        ['api_poc3', 'running', true], ['prometheus', 'running', true], ['alertmanager', 'running', true], ['grafana', 'missing', false],
      ]);
      const info = await docker.getContainer(`${project}-api_poc3-1`).inspect();
      process.kill(info.State.Pid, 'SIGKILL'); // as the kernel's OOM killer would
      const after = await waitFor('api_poc3 restarted and ready', async () => {
        const s = watcher.snapshot().find((x) => x.service === 'api_poc3');
        return s && s.restartCount >= 1 && s.ready ? s : undefined;
      }, 30_000, 50);
      expect(after.state).toBe('running');
      expect(after.lastLogs?.some((l) => l.includes('Server listening'))).toBe(true);
      // On the way, the watcher showed it down or not ready: never a stale "ready".
      expect(seen.some((x) => x.state !== 'running' || !x.ready)).toBe(true);
    } finally {
      watcher.stop();
    }
  });
});

describe('validate and apply', () => {
  const file = () => path.join(configDir, 'prometheus.yml');
  const rules = () => path.join(configDir, 'prometheus_rules.yml');
  const images = { prometheus: testImages.prometheus, alertmanager: testImages.alertmanager };
  let good: { prometheus: string; rules: string };
  beforeAll(() => {
    good = { prometheus: fs.readFileSync(file(), 'utf8'), rules: fs.readFileSync(rules(), 'utf8') };
  });

  it('the shipped configs are valid for the stack\'s promtool and amtool', async () => {
    const r = await cli(['validate', '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ valid: true, toolsRun: true, problems: [] });
  });

  it('a broken prometheus.yml is named with file:line, apply refuses it and Prometheus keeps the old one', async () => {
    fs.writeFileSync(file(), good.prometheus.replace('  scrape_interval: 15s', '  scrape_interval: 15s\n  scrape_intervall: 5s'));
    try {
      const r = await cli(['validate']);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain(`${file()}:5:1: error: promtool check config: line 5: field scrape_intervall not found`);
      const err = await applyConfigs(stack, configDir, images, new ConfigHistory(home)).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(ApplyRefused);
      expect((await prom.config()).yaml).not.toContain('scrape_intervall');
      expect((await prom.runtimeInfo()).reloadConfigSuccess).toBe(true);
    } finally {
      fs.writeFileSync(file(), good.prometheus);
    }
  });

  it('a broken rule is refused the same way, with the rule and its position', async () => {
    fs.writeFileSync(rules(), good.rules.replace('expr: job:http_errors:ratio_rate5m > 0.05', 'expr: rate(http_requests_total[5m]) by (endpoint) > 0.05'));
    try {
      const problems = await validateConfigs(configDir, { docker, images });
      expect(problems.map(formatProblem)).toEqual([expect.stringMatching(/^prometheus_rules\.yml:\d+:\d+: error: alert HighErrorRate \(group poc3_security\): PromQL unexpected "by"$/)]);
      await expect(applyConfigs(stack, configDir, images, new ConfigHistory(home))).rejects.toBeInstanceOf(ApplyRefused);
      const loaded = (await prom.rules()).groups.flatMap((g) => g.rules).find((x) => x.name === 'HighErrorRate');
      expect(loaded?.query).toBe('job:http_errors:ratio_rate5m > 0.05');
    } finally {
      fs.writeFileSync(rules(), good.rules);
    }
  });

  it('a valid change is applied live with a hot reload, and recorded in the history', async () => {
    const containersBefore = [...(await stack.containers()).values()].map((c) => `${c.Id}:${c.State}`).sort();
    fs.writeFileSync(file(), good.prometheus.replace('    scrape_interval: 5s\n', '    scrape_interval: 10s\n'));
    try {
      const r = await cli(['apply']);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(/applied \(applied to prometheus and alertmanager\); history entry \S+/);
      const yaml = (await prom.config()).yaml;
      expect(yaml).toMatch(/job_name: poc3-security\n\s+honor_labels: true\n\s+honor_timestamps: true\n\s+scrape_interval: 10s/);
      // Nothing was restarted for it.
      expect([...(await stack.containers()).values()].map((c) => `${c.Id}:${c.State}`).sort()).toEqual(containersBefore);
      const history = new ConfigHistory(home).list();
      // The whole config set: the services' files, the objectives and their rules, the rule tests.
      expect(history.at(-1)?.files).toEqual(['prometheus.yml', 'prometheus_rules.yml', 'alertmanager.yml', 'slos.yml', 'slo_rules.yml', 'tests/rules_test.yml', 'tests/slo_rules_test.yml']);
      const diff = await cli(['history', history.at(-1)!.id]);
      expect(diff.stdout).toBe(''); // the files are what was applied
    } finally {
      fs.writeFileSync(file(), good.prometheus);
    }
  });
});

describe('a reload that fails', () => {
  it('puts the previous files back, reloads them, and says why', async () => {
    const file = path.join(configDir, 'prometheus.yml');
    const good = fs.readFileSync(file, 'utf8');
    // A Prometheus started without --web.enable-lifecycle refuses /-/reload.
    const locked = stackFor(project).stack;
    const service = locked.service('prometheus');
    service.command = service.command!.filter((f) => f !== '--web.enable-lifecycle');
    await locked.up(SERVICES, undefined, { wait: true });
    const entries = new ConfigHistory(home).list().length;
    fs.writeFileSync(file, good.replace('    scrape_interval: 5s\n', '    scrape_interval: 7s\n'));
    try {
      const steps: string[] = [];
      const err = await applyConfigs(locked, configDir, { prometheus: testImages.prometheus, alertmanager: testImages.alertmanager }, new ConfigHistory(home), (s) => steps.push(s.step))
        .then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(ApplyRolledBack);
      expect((err as Error).message).toMatch(/^the new configuration failed \(reload: Lifecycle API is not enabled\.?\); the previous one was restored and reloaded$/);
      expect(steps).toEqual(['validate', 'copy', 'reload', 'rollback']);
      const container = docker.getContainer(`${project}-prometheus-1`);
      const inside = await filesIn(container, ['/etc/prometheus/prometheus.yml']);
      expect(inside['/etc/prometheus/prometheus.yml']?.toString('utf8')).toBe(good);
      // The status names the version that runs after the rollback, not the refused one.
      const rules = fs.readFileSync(path.join(configDir, 'prometheus_rules.yml'), 'utf8');
      const version = (await locked.status()).find((x) => x.service === 'prometheus')?.configVersion;
      expect(version).toBe(versionOfTexts(service, { 'prometheus.yml': good, 'prometheus_rules.yml': rules }));
      expect(new ConfigHistory(home).list()).toHaveLength(entries);
      expect(await prom.ready()).toBe(true);
    } finally {
      fs.writeFileSync(file, good);
      await stack.up(SERVICES, undefined, { wait: true }); // the shipped definition again
    }
  });
});

describe('down and up again', () => {
  it('keeps the TSDB: samples from before the restart are still there', async () => {
    const before = trafficAt;
    const had = await prom.value(`sum(http_requests_total{job="poc3-security", endpoint="/auth/login"} @ ${before.toFixed(3)})`);
    expect(had).toBe(3);
    const downEvents: StackEvent[] = [];
    await stack.down((e) => downEvents.push(e));
    // Reverse dependency order: Prometheus (which depends on the other two) stops first.
    const stopped = downEvents.filter((e) => e.step === 'stop' && e.state === 'done').map((e) => e.service);
    expect(stopped[0]).toBe('prometheus');
    expect(stopped.slice(1).sort()).toEqual(['alertmanager', 'api_poc3']);
    expect((await leftovers(project)).sort()).toEqual([`${project}_alertmanager_data`, `${project}_api_data`, `${project}_prometheus_data`]);
    await stack.up(SERVICES, undefined, { wait: true });
    expect(await prom.value(`sum(http_requests_total{job="poc3-security", endpoint="/auth/login"} @ ${before.toFixed(3)})`)).toBe(3);
  });

  it('down --volumes deletes the data as well', async () => {
    await stack.down(undefined, { volumes: true });
    expect(await leftovers(project)).toEqual([]);
  });
});
