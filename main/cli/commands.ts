// The `obsdeck` commands, one entry each: the same engine, stack, config and Prometheus code the
// app drives. Config changes go through config/change.ts like the app's Apply and Restore.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyChange, restoreEntry, toolsOf } from '../config/change.js';
import { formatProblem } from '../config/expressions.js';
import { CONFIG_FILES, ConfigHistory, dataDir, diffLines } from '../config/store.js';
import { validateConfigs } from '../config/validate.js';
import { discoverEngine } from '../engine/discover.js';
import { defaultExportFile, exportImages, importImages, listImages, pullImage } from '../images/images.js';
import { updateSettings } from '../images/settings.js';
import { IMAGE_REF } from '../contract.js';
import { Host } from '../host/host.js';
import { PrometheusClient } from '../prom/client.js';
import { serve } from '../server/serve.js';
import { serviceBase } from '../stack/compose.js';
import { loadSpec } from '../stack/load.js';
import { containerLines, mergeLines, type LogLine } from '../stack/logs.js';
import { Stack } from '../stack/stack.js';
import { ensureCan } from '../target/target.js';
import { k8sName, renderKubernetes, toYaml } from '../render/kubernetes.js';
import { DEFAULTS, LIMITS, runTraffic, SCENARIOS, stackApi, type Scenario } from '../traffic/scenarios.js';
import { NO_WAIT } from './lock.js';
import { alertPathLines, alertsCommand } from './alerts.js';
import { deployedSwarm, engine, locked, NoEngine, openStack, openSwarm, openTarget } from './context.js';
import { columns, dim, green, out, paint, printer, red, warn, yellow } from './output.js';
import { UsageError, type Command, type Parsed } from './table.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** SERVICE=N pairs (--replicas, scale), each SERVICE one of `services`. */
function replicaPairs(list: string[], what: string, services: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const pair of list) {
    const m = /^([\w.-]+)=(\d{1,2})$/.exec(pair);
    if (!m) throw new UsageError(`${what} takes SERVICE=N (N from 0 to 99), not "${pair}"`);
    if (!services.includes(m[1]!)) throw new UsageError(`no service "${m[1]}"; the stack has ${services.join(', ')}`);
    out[m[1]!] = Number(m[2]);
  }
  return out;
}

async function upSwarm(names: string[], values: Parsed['values']): Promise<number> {
  const swarm = await openSwarm();
  const replicas = replicaPairs(Array.isArray(values.replicas) ? values.replicas : [], '--replicas', swarm.spec.services.map((x) => x.name));
  if ((await swarm.role()) === 'inactive') {
    if (values.init !== true) throw new Error('this Docker engine is not part of a swarm. `obsdeck up --swarm --init` makes it a single-node swarm (advertising 127.0.0.1 only; the engine then also keeps a docker_gwbridge network; `docker swarm leave --force` undoes it), or point DOCKER_HOST at a swarm manager');
    await swarm.initSingleNode();
    out('this engine is now a single-node swarm (advertising 127.0.0.1; `docker swarm leave --force` undoes it)');
  }
  const { skipped } = await locked(swarm, 'up', values, () => swarm.up(names, printer(), { replicas }));
  for (const k of skipped) process.stderr.write(`${red('skipped')} ${k.service}: ${k.why}\n`);
  const st = await swarm.status();
  out(green(`on Swarm: ${st.map((x) => `${x.service} ${x.replicas.running}/${x.replicas.desired}`).join(', ')}`));
  return skipped.length ? 1 : 0;
}

function since(uptime?: number): string {
  if (uptime === undefined) return '';
  if (uptime < 120) return `${uptime}s`;
  if (uptime < 7200) return `${Math.round(uptime / 60)}m`;
  return `${Math.round(uptime / 3600)}h`;
}

function prometheus(): PrometheusClient {
  const service = loadSpec().spec.services.find((s) => s.name === 'prometheus');
  const base = service && serviceBase(service);
  if (!base) throw new Error('the stack has no published Prometheus port');
  return new PrometheusClient(base);
}

/** A positive number option, or undefined when not given. */
function positive(values: Parsed['values'], name: string, c: Command): number | undefined {
  const v = values[name];
  if (typeof v !== 'string') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} must be a positive number, got "${v}"`, c);
  return n;
}

async function apply(values: Parsed['values'], restoreId?: string): Promise<number> {
  const { stack, configDir } = await openStack();
  const history = new ConfigHistory(dataDir());
  const on = (s: { message: string }) => out(`${dim('…')} ${s.message}`);
  return locked(stack, 'apply', values, async () => {
    // The same path as the app's Apply and Restore, on whichever target runs the stack.
    const ctx = { target: (await openTarget(stack)).config(), configDir, history, on };
    const entry = restoreId ? await restoreEntry(ctx, restoreId) : await applyChange(ctx);
    out(green(`✓ applied (${entry.note}); history entry ${entry.id}`));
    return 0;
  });
}

const stackCommands: Command[] = [
  {
    name: 'up', section: 'The stack', args: '[SERVICE...]',
    help: 'create and start the stack (or those services and what they need)\nA service whose image cannot be had is skipped, with what needs it; the exit code is then 1.\nWith --swarm, the stack runs as Swarm services on this engine (a swarm manager), published on\n127.0.0.1 by a gateway container, the API\'s replicas discovered one by one by Prometheus.',
    options: {
      wait: { type: 'boolean', help: 'return once every service answers its readiness probe' },
      swarm: { type: 'boolean', help: 'deploy on Docker Swarm instead of plain containers' },
      replicas: { type: 'string', value: 'SERVICE=N', multiple: true, help: 'with --swarm: how many replicas of SERVICE (again for another)' },
      init: { type: 'boolean', help: 'with --swarm: make this engine a single-node swarm first when it is not in one (advertises 127.0.0.1 only)' },
      ...NO_WAIT,
    },
    run: async ({ positionals, values }) => {
      if (values.swarm === true) return upSwarm(positionals, values);
      if (values.replicas !== undefined || values.init === true) throw new UsageError('--replicas and --init go with --swarm');
      const { stack } = await openStack();
      // Under the lock: a second `obsdeck up` (or the app's Start) waits, then finds the stack up.
      const { skipped } = await locked(stack, 'up', values, () => stack.up(positionals, printer(), { wait: values.wait === true }));
      if (skipped.length) {
        for (const k of skipped) process.stderr.write(`${red('skipped')} ${k.service}: ${k.why}\n`);
        out(yellow(`started all but ${skipped.map((k) => k.service).join(', ')}`));
        return 1;
      }
      out(green(values.wait ? 'the stack is up and ready' : 'the stack is started (`obsdeck status` shows when each service is ready)'));
      return 0;
    },
  },
  {
    name: 'scale', section: 'The stack', args: 'SERVICE=N',
    help: 'set how many replicas of a service run on Swarm, and wait until they do',
    options: NO_WAIT,
    run: async ({ positionals, values }) => {
      if (positionals.length !== 1) throw new UsageError('scale takes one SERVICE=N');
      const { stack } = await openStack();
      const [[service, n]] = Object.entries(replicaPairs(positionals, 'scale', stack.spec.services.map((x) => x.name))) as [[string, number]];
      const target = (await openTarget(stack));
      ensureCan(target, 'scale');
      await locked(stack, 'scale', values, () => target.scale(service, n, printer()));
      out(green(`${service} runs ${n} replicas`));
      return 0;
    },
  },
  {
    name: 'down', section: 'The stack',
    help: 'stop and remove the containers (the data stays in the volumes)',
    options: { volumes: { type: 'boolean', short: 'v', help: 'delete the data volumes too' }, ...NO_WAIT },
    run: async ({ values }) => {
      const { stack } = await openStack();
      await locked(stack, 'down', values, async () => (await openTarget(stack)).down(printer(), { volumes: values.volumes === true }));
      out(green(values.volumes ? 'the stack is down and its data deleted' : 'the stack is down; its data is kept in its volumes'));
      return 0;
    },
  },
  {
    name: 'restart', section: 'The stack', args: '[SERVICE...]',
    help: 'restart services and wait until they are ready again',
    options: NO_WAIT,
    run: async ({ positionals, values }) => {
      const { stack } = await openStack();
      const target = (await openTarget(stack));
      ensureCan(target, 'restart a service');
      await locked(stack, 'restart', values, () => target.restart(positionals, printer()));
      return 0;
    },
  },
  {
    name: 'status', section: 'The stack',
    help: 'one line (or JSON object) per service: state, ready, uptime, restarts, ports',
    options: { json: { type: 'boolean', help: 'print JSON' } },
    run: async ({ values }) => {
      const { stack } = await openStack();
      const swarm = await deployedSwarm(stack);
      if (swarm) {
        const st = await swarm.status();
        if (values.json) {
          out(JSON.stringify(st.map((x) => ({ target: 'swarm', ...x })), null, 2));
          return 0;
        }
        columns(st.map((x) => [
          x.service,
          x.replicas.running === x.replicas.desired ? green(`${x.replicas.running}/${x.replicas.desired} replicas`) : yellow(`${x.replicas.running}/${x.replicas.desired} replicas`),
          x.ready ? green('ready') : yellow('not ready'),
          x.url ?? '',
        ]));
        for (const x of st) {
          for (const t of x.tasks.filter((k) => k.desiredState === 'running' || k.error).slice(0, 8)) out(dim(`  ${t.name.padEnd(16)} ${t.state.padEnd(9)} ${t.node} ${t.since.slice(0, 19)}${t.error ? `  ${t.error}` : ''}`));
        }
        return 0;
      }
      const list = await stack.status();
      if (values.json) {
        out(JSON.stringify(list, null, 2));
        return 0;
      }
      columns(list.map((s) => [
        s.service,
        s.state === 'running' ? green(s.state) : s.state === 'missing' ? dim(s.state) : red(s.state),
        s.ready ? green('ready') : s.state === 'running' ? yellow('not ready') : '',
        since(s.uptimeSeconds),
        s.restartCount ? `${s.restartCount} restarts` : '',
        s.exitCode !== undefined ? `exit ${s.exitCode}` : '',
        s.ports.map((p) => `${p.host}:${p.hostPort}`).join(' '),
      ]));
      for (const s of list) {
        if (!s.lastLogs?.length) continue;
        out(`\n${s.service} ${s.state === 'running' ? 'restarted recently' : `is ${s.state}`}; its last log lines:`);
        for (const l of s.lastLogs) out(dim(`  ${l}`));
      }
      const path = await alertPathLines(stack).catch(() => undefined);
      if (path) out(`\nthe alert path (\`obsdeck alerts test\` tests it end to end):\n${path.map((l) => `  ${l}`).join('\n')}`);
      return 0;
    },
  },
  {
    name: 'logs', section: 'The stack', args: '[SERVICE...]',
    help: 'the services\' logs, merged, with timestamps',
    options: {
      follow: { type: 'boolean', short: 'f', help: 'keep printing new lines until Ctrl-C' },
      since: { type: 'string', value: 'WHEN', help: 'from a duration back (10m, 2h) or an ISO date' },
      tail: { type: 'string', value: 'N', help: 'the last N lines of each service' },
      grep: { type: 'string', value: 'TEXT', help: 'only lines containing TEXT, or matching /REGEX/' },
    },
    run: async ({ positionals, values }) => {
      const { stack } = await openStack();
      const swarm = await deployedSwarm(stack);
      if (swarm) {
        for (const n of positionals) stack.service(n);
        const tail = typeof values.tail === 'string' ? Number(values.tail) : undefined;
        const lines = await swarm.logs(positionals, { follow: values.follow === true, tail, since: typeof values.since === 'string' ? values.since : undefined });
        const all: LogLine[] = [];
        for await (const l of lines) {
          if (values.follow === true) process.stdout.write(`${(l.task ?? l.service).padEnd(16)} ${dim(l.time.slice(0, 23))} ${l.text}\n`);
          else all.push(l);
        }
        for (const l of all.sort((a, b) => a.time.localeCompare(b.time))) process.stdout.write(`${(l.task ?? l.service).padEnd(16)} ${dim(l.time.slice(0, 23))} ${l.text}\n`);
        return 0;
      }
      const existing = await stack.containers();
      const names = positionals.length ? positionals : stack.spec.services.map((s) => s.name).filter((n) => existing.has(n));
      for (const n of names) stack.service(n); // unknown names fail with the list of services
      const grepText = typeof values.grep === 'string' ? values.grep : undefined;
      const regex = grepText && /^\/(.*)\/([a-z]*)$/.exec(grepText);
      const grep = regex ? new RegExp(regex[1]!, regex[2]) : grepText;
      const tail = typeof values.tail === 'string' ? Number(values.tail) : undefined;
      if (tail !== undefined && (!Number.isInteger(tail) || tail < 0)) throw new UsageError('--tail must be a whole number');
      const follow = values.follow === true;
      const controller = new AbortController();
      process.once('SIGINT', () => controller.abort());
      const sources = names.flatMap((n) => {
        const info = existing.get(n);
        if (!info) {
          warn(`${n} has no container`);
          return [];
        }
        return [containerLines(stack.docker.getContainer(info.Id), n, { follow, since: typeof values.since === 'string' ? values.since : undefined, tail, grep, signal: controller.signal })];
      });
      const pad = Math.max(...names.map((n) => n.length));
      const colours = [36, 35, 34, 33, 32];
      const print = (l: LogLine) => {
        const c = paint(colours[names.indexOf(l.service) % colours.length]!);
        process.stdout.write(`${c(l.service.padEnd(pad))} ${dim(l.time.slice(0, 23))} ${l.text}\n`);
      };
      if (follow) {
        for await (const l of mergeLines(sources)) print(l);
      } else {
        // Without follow, all the lines are known: print them in time order.
        const all: LogLine[] = [];
        for await (const l of mergeLines(sources)) all.push(l);
        all.sort((a, b) => a.time.localeCompare(b.time)).forEach(print);
      }
      return 0;
    },
  },
];

const configCommands: Command[] = [
  {
    name: 'validate', section: 'Configuration',
    help: 'check the configs (YAML, PromQL, promtool, amtool); exit 1 on any error',
    options: { json: { type: 'boolean', help: 'print JSON' } },
    run: async ({ values }) => {
      const { spec, configDir } = loadSpec();
      let stack: Stack | undefined;
      try {
        stack = new Stack(await engine(), spec);
      } catch (err) {
        if (!(err instanceof NoEngine)) throw err;
      }
      const { tools, why } = await toolsOf(stack);
      const problems = await validateConfigs(configDir, tools);
      const errors = problems.filter((p) => p.severity === 'error');
      if (values.json) {
        out(JSON.stringify({ configDir, valid: errors.length === 0, toolsRun: tools !== undefined, problems }, null, 2));
      } else {
        for (const p of problems) out(`${path.join(configDir, p.file)}${formatProblem(p).slice(p.file.length)}`);
        if (why) process.stderr.write(`${yellow('note')}: ${why}\n`);
        if (!errors.length) out(green(`${configDir}: valid${tools ? ` (promtool and amtool of ${tools.images.prometheus} and ${tools.images.alertmanager} agree)` : ''}`));
      }
      return errors.length === 0 ? 0 : 1;
    },
  },
  {
    name: 'apply', section: 'Configuration',
    help: 'validate, copy into the running stack, reload, confirm; roll back on failure',
    options: NO_WAIT,
    run: ({ values }) => apply(values),
  },
  {
    name: 'history', section: 'Configuration', args: '[ID]',
    help: 'the applied configurations, or how one differs from the current files',
    run: async ({ positionals: [id] }) => {
      const history = new ConfigHistory(dataDir());
      if (!id) {
        const list = history.list();
        if (!list.length) out('nothing has been applied yet');
        for (const e of list) out(`${e.id}  ${e.at}  ${e.note}`);
        return 0;
      }
      const { configDir } = loadSpec();
      for (const f of CONFIG_FILES) {
        const diff = diffLines(history.read(id, f), fs.readFileSync(path.join(configDir, f), 'utf8'));
        if (!diff.length) continue;
        out(`--- ${f} (${id})\n+++ ${f} (now)`);
        for (const l of diff) out(l.startsWith('+') ? green(l) : red(l));
      }
      return 0;
    },
  },
  {
    name: 'restore', section: 'Configuration', args: 'ID',
    help: 'apply an earlier configuration again (the config files change only if it succeeds)',
    options: NO_WAIT,
    run: async ({ positionals: [id], values }) => {
      if (!id) throw new UsageError('restore needs a history entry (see `obsdeck history`)');
      new ConfigHistory(dataDir()).entry(id);
      return apply(values, id);
    },
  },
];

const traffic: Command = {
  name: 'traffic', section: 'Traffic', args: 'SCENARIO',
  help: `send a scenario's requests to this machine's API (bounded: at most ${LIMITS.maxRate} requests/s for ${LIMITS.maxDurationS} s)`,
  options: {
    duration: { type: 'string', value: 'S', help: `how long, in seconds (${DEFAULTS.durationS}, at most ${LIMITS.maxDurationS})` },
    rate: { type: 'string', value: 'N', help: `requests per second (${DEFAULTS.rate}, at most ${LIMITS.maxRate})` },
  },
  more: () => `Scenarios:\n${Object.entries(SCENARIOS).map(([k, v]) => `  ${k.padEnd(12)} ${v}`).join('\n')}`,
  run: async ({ positionals: [scenario], values }) => {
    if (!scenario || !(scenario in SCENARIOS)) {
      throw new UsageError(`${scenario ? `no scenario "${scenario}"; ` : ''}traffic needs a scenario:\n${Object.keys(SCENARIOS).map((k) => `  ${k}`).join('\n')}`, traffic);
    }
    const target = stackApi(loadSpec().spec);
    const controller = new AbortController();
    process.once('SIGINT', () => controller.abort());
    let shown = 0;
    const counts = (byStatus: Record<string, number>) => Object.entries(byStatus).map(([k, v]) => `${k}: ${v}`).join(', ');
    const stats = await runTraffic(scenario as Scenario, {
      ...target,
      durationS: positive(values, 'duration', traffic),
      rate: positive(values, 'rate', traffic),
      signal: controller.signal,
      onProgress: (st) => {
        if (st.elapsedS - shown < 5) return;
        shown = st.elapsedS;
        out(dim(`  ${st.elapsedS.toFixed(0)} s: ${st.sent} requests (${counts(st.byStatus)})`));
      },
    });
    out(green(`${scenario}: ${stats.sent} requests in ${stats.elapsedS.toFixed(1)} s (${counts(stats.byStatus)})`));
    return 0;
  },
};

const promCommands: Command[] = [
  {
    name: 'targets', section: 'Prometheus',
    help: 'the scrape targets and their health',
    run: async () => {
      const { activeTargets } = await prometheus().targets('active');
      for (const t of activeTargets) {
        const last = t.lastScrape.startsWith('0001') ? 'not scraped yet' : `last scraped ${t.lastScrape.slice(11, 19)} in ${(t.lastScrapeDuration * 1000).toFixed(1)} ms`;
        const health = t.health === 'up' ? green('up     ') : t.health === 'down' ? red('down   ') : yellow('unknown');
        out(`${health}  ${t.labels.job ?? t.scrapePool}  ${t.scrapeUrl}  ${dim(last)}${t.lastError ? `  ${red(t.lastError)}` : ''}`);
      }
      return 0;
    },
  },
  {
    name: 'query', section: 'Prometheus', args: 'PROMQL',
    help: 'an instant query',
    run: async ({ positionals }) => {
      const expr = positionals.join(' ');
      if (!expr) throw new UsageError('query needs a PromQL expression');
      const data = await prometheus().query(expr);
      if (data.resultType === 'vector') {
        if (!data.result.length) out(dim('(no series)'));
        for (const s of data.result) {
          const { __name__: name, ...labels } = s.metric;
          out(`${name ?? ''}{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(', ')}} ${s.value[1]}`);
        }
      } else if (data.resultType === 'matrix') {
        for (const s of data.result) out(`${JSON.stringify(s.metric)} ${s.values.map((v) => v[1]).join(' ')}`);
      } else {
        out(data.result[1]);
      }
      return 0;
    },
  },
];

const mib = (n?: number) => (n === undefined ? '' : `${(n / 2 ** 20).toFixed(0)} MiB`);

const images: Command = {
  name: 'images', section: 'The stack', args: '[list | pull SERVICE... | export [FILE] | import FILE | use SERVICE IMAGE | use SERVICE --reset]',
  help: [
    'the image each service will run: on the engine or not, its origin and size; pull, export, import, choose',
    '  list                 (the default) one line per service',
    '  pull SERVICE...      pull the services\' images (a stand-in\'s upstream image), layer by layer',
    '  export [FILE]        write the stack\'s images to one tarball (never over an existing file)',
    '  import FILE          load a tarball made by export or `docker save` (an offline laptop\'s set-up)',
    '  use SERVICE IMAGE    run IMAGE for SERVICE from now on (kept in the app\'s settings; --reset goes back)',
  ].join('\n'),
  options: { reset: { type: 'boolean', help: 'with use: go back to the compose file\'s image' } },
  run: async ({ positionals, values }) => {
    const [verb = 'list', ...rest] = positionals;
    const data = dataDir();
    const { stack } = await openStack();
    const service = (name: string | undefined) => {
      if (!name) throw new UsageError(`images ${verb} needs a SERVICE (${stack.spec.services.map((s) => s.name).join(', ')})`, images);
      return stack.spec.services.find((s) => s.name === name) ?? (() => { throw new UsageError(`the stack has no service ${name}`, images); })();
    };
    switch (verb) {
      case 'list': {
        const list = await listImages(stack.docker, stack.spec, data);
        columns(list.map((i) => [i.service, i.image, i.onEngine ? green('on the engine') : yellow('not here'), i.origin, mib(i.size), i.chosenOver ? dim(`(chosen over ${i.chosenOver})`) : i.standInFor ? dim(`(stand-in for ${i.standInFor})`) : '']));
        return 0;
      }
      case 'pull': {
        if (!rest.length) service(undefined);
        for (const name of rest) {
          const s = service(name);
          const image = s.standInFor ?? s.image;
          out(`pulling ${image} for ${name}`);
          const said = new Map<string, string>();
          await pullImage(stack.docker, name, image, (p) => {
            for (const l of p.layers) {
              if (said.get(l.id) === l.status) continue;
              said.set(l.id, l.status);
              out(dim(`  ${l.id}: ${l.status}${l.total ? ` (${mib(l.total)})` : ''}`));
            }
          });
          out(green(`✓ pulled ${image}`));
        }
        return 0;
      }
      case 'export': {
        const file = path.resolve(rest[0] ?? defaultExportFile(data));
        const r = await exportImages(stack.docker, stack.spec, file);
        out(green(`✓ wrote ${r.images.join(', ')} to ${r.file} (${mib(r.bytes)})`));
        if (r.missing.length) warn(`not on the engine, so not exported: ${r.missing.join(', ')}`);
        return 0;
      }
      case 'import': {
        if (!rest[0]) throw new UsageError('images import needs the tarball\'s FILE', images);
        const loaded = await importImages(stack.docker, path.resolve(rest[0]), data);
        out(green(`✓ imported ${loaded.join(', ')}`));
        return 0;
      }
      case 'use': {
        const s = service(rest[0]);
        const image = rest[1];
        if (values.reset !== true && (!image || !IMAGE_REF.test(image))) throw new UsageError(`images use ${s.name} needs an image reference such as prom/prometheus:v3.5.0${image ? `, not "${image}"` : ''} (or --reset)`, images);
        updateSettings(data, (st) => {
          st.images = Object.fromEntries(Object.entries(st.images).filter(([n]) => n !== s.name));
          if (values.reset !== true && image) st.images[s.name] = image;
        });
        out(values.reset === true ? `${s.name} runs the compose file's image again` : `${s.name} runs ${image} from its next start`);
        return 0;
      }
      default:
        throw new UsageError(`images has no "${verb}"; use list, pull, export, import or use`, images);
    }
  },
};

const render: Command = {
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

const otherCommands: Command[] = [
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

export { NoEngine } from './context.js';

export const COMMANDS: Command[] = [...stackCommands, images, ...configCommands, traffic, ...promCommands, alertsCommand, render, ...otherCommands];
