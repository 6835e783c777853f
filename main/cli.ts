// The `obsdeck` command line: the same engine, stack, config and Prometheus code the app drives.
// Exit codes scripts can rely on: 0 success, 1 failure (a service that did not come up, an
// invalid config, a refused apply, a failed query), 2 bad usage, 3 no Docker engine reachable.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type Docker from 'dockerode';
import { Backend } from './backend.js';
import { ApplyRefused, applyConfigs } from './config/apply.js';
import { formatProblem } from './config/expressions.js';
import { CONFIG_FILES, ConfigHistory, dataDir, diffLines } from './config/store.js';
import { validateConfigs } from './config/validate.js';
import { discoverEngine } from './engine/discover.js';
import { PrometheusClient } from './prom/client.js';
import { serve } from './server/serve.js';
import { SCENARIOS, runTraffic, stackApi, type Scenario } from './traffic.js';
import { serviceBase } from './stack/compose.js';
import { loadSpec } from './stack/load.js';
import { containerLines, mergeLines, type LogLine } from './stack/logs.js';
import { PreflightError, ServiceFailed, Stack, type StackEvent } from './stack/stack.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const USAGE = `usage: obsdeck <command> [options]

The stack (observability/docker-compose.yml, configs in $OBSDECK_HOME/config):
  up [--wait] [SERVICE...]     create and start the stack (or those services and what they need);
                               --wait returns once every one answers its readiness probe
  down [--volumes]             stop and remove the containers; --volumes deletes the data too
  restart [SERVICE...]         restart services and wait until they are ready again
  status [--json]              one line (or JSON object) per service: state, ready, uptime, restarts
  logs [SERVICE...] [-f] [--since 10m] [--tail N] [--grep TEXT|/REGEX/]
                               the services' logs, merged, with timestamps
Configuration:
  validate [--json]            check the configs (YAML, PromQL, promtool, amtool); exit 1 on any error
  apply                        validate, copy into the running stack, reload, roll back on failure
  history [ID]                 the applied configurations, or how one differs from the current files
  restore ID                   put an applied configuration back into the config files and apply it
Traffic (to this machine's API only, bounded):
  traffic <SCENARIO> [--duration S] [--rate N]
                               normal, brute-force, forbidden or token-reuse, for S seconds (30,
                               at most 600) at N requests per second (5, at most 50)
Prometheus:
  targets                      the scrape targets and their health
  query <PROMQL>               an instant query
Other:
  engine [--json]              the Docker engine in use, or what was tried and what to do
  serve [--port N]             the app's UI in a browser, on 127.0.0.1 with an access token
  help                         this text

Exit codes: 0 success, 1 failure, 2 bad usage, 3 no Docker engine reachable.
`;

class UsageError extends Error {}
class NoEngine extends Error {}

const tty = process.stdout.isTTY && !process.env.NO_COLOR;
const ESC = String.fromCharCode(27);
const visible = (s: string) => s.replaceAll(new RegExp(`${ESC}\\[\\d+m`, 'g'), '');
const paint = (code: number) => (s: string) => (tty ? `${ESC}[${code}m${s}${ESC}[0m` : s);
const green = paint(32);
const red = paint(31);
const yellow = paint(33);
const dim = paint(2);

function out(line = ''): void {
  process.stdout.write(`${line}\n`);
}

interface Parsed { positional: string[]; flags: Set<string>; values: Map<string, string> }

function parseArgs(args: string[], valued: string[], allowed: string[]): Parsed {
  const p: Parsed = { positional: [], flags: new Set(), values: new Map() };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('-') || a === '-') {
      p.positional.push(a);
    } else if (valued.includes(a)) {
      const v = args[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value`);
      p.values.set(a, v);
    } else if (allowed.includes(a)) {
      p.flags.add(a);
    } else {
      throw new UsageError(`unknown option ${a}`);
    }
  }
  return p;
}

async function engine(): Promise<Docker> {
  const { status, docker } = await discoverEngine();
  if (!status.reachable || !docker) {
    throw new NoEngine(`no Docker engine is reachable. ${status.reachable ? '' : status.hint}\ntried:\n${status.reachable ? '' : status.tried.map((t) => `  ${t.endpoint}: ${t.error}`).join('\n')}`);
  }
  return docker;
}

async function openStack(): Promise<{ stack: Stack; configDir: string }> {
  const docker = await engine();
  const { spec, configDir } = loadSpec();
  for (const w of spec.warnings) process.stderr.write(`${yellow('warning')}: ${w}\n`);
  return { stack: new Stack(docker, spec), configDir };
}

/** One line per step; pull and build progress at most every 10%. */
function printer(): (e: StackEvent) => void {
  const lastPct = new Map<string, number>();
  return (e) => {
    if (e.state === 'progress') {
      if (!e.progress) return;
      const pct = Math.floor((e.progress.current / Math.max(1, e.progress.total)) * 10) * 10;
      const key = `${e.step}:${e.service ?? ''}`;
      if ((lastPct.get(key) ?? -1) >= pct) return;
      lastPct.set(key, pct);
      out(dim(`  … ${e.service ?? ''} ${e.step} ${pct}%`));
      return;
    }
    const mark = { started: dim('…'), done: green('✓'), skipped: dim('·'), failed: red('✗') }[e.state];
    out(`${mark} ${e.message}`);
  };
}

function since(uptime?: number): string {
  if (uptime === undefined) return '';
  if (uptime < 120) return `${uptime}s`;
  if (uptime < 7200) return `${Math.round(uptime / 60)}m`;
  return `${Math.round(uptime / 3600)}h`;
}

async function cmdStatus(json: boolean): Promise<void> {
  const { stack } = await openStack();
  const list = await stack.status();
  if (json) {
    out(JSON.stringify(list, null, 2));
    return;
  }
  const rows = list.map((s) => [
    s.service,
    s.state === 'running' ? green(s.state) : s.state === 'missing' ? dim(s.state) : red(s.state),
    s.ready ? green('ready') : s.state === 'running' ? yellow('not ready') : '',
    since(s.uptimeSeconds),
    s.restartCount ? `${s.restartCount} restarts` : '',
    s.exitCode !== undefined ? `exit ${s.exitCode}` : '',
    s.ports.map((p) => `${p.host}:${p.hostPort}`).join(' '),
  ]);
  const width = (i: number) => Math.max(...rows.map((r) => visible(r[i]!).length));
  for (const r of rows) out(r.map((c, i) => c + ' '.repeat(Math.max(0, width(i) - visible(c).length))).join('  ').trimEnd());
  for (const s of list) {
    if (s.lastLogs?.length) {
      out(`\n${s.service} ${s.state === "running" ? "restarted recently" : `is ${s.state}`}; its last log lines:`);
      for (const l of s.lastLogs) out(dim(`  ${l}`));
    }
  }
}

async function cmdLogs(p: Parsed): Promise<void> {
  const { stack } = await openStack();
  const existing = await stack.containers();
  const names = p.positional.length ? p.positional : stack.spec.services.map((s) => s.name).filter((n) => existing.has(n));
  for (const n of names) stack.service(n); // unknown names fail with the list of services
  const grepText = p.values.get('--grep');
  const regex = grepText && /^\/(.*)\/([a-z]*)$/.exec(grepText);
  const grep = regex ? new RegExp(regex[1]!, regex[2]) : grepText;
  const tail = p.values.has('--tail') ? Number(p.values.get('--tail')) : undefined;
  if (tail !== undefined && (!Number.isInteger(tail) || tail < 0)) throw new UsageError('--tail must be a whole number');
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  const sources = names.flatMap((n) => {
    const info = existing.get(n);
    if (!info) {
      process.stderr.write(`${yellow('warning')}: ${n} has no container\n`);
      return [];
    }
    return [containerLines(stack.docker.getContainer(info.Id), n, { follow: p.flags.has('-f') || p.flags.has('--follow'), since: p.values.get('--since'), tail, grep, signal: controller.signal })];
  });
  const pad = Math.max(...names.map((n) => n.length));
  const colours = [36, 35, 34, 33, 32];
  const print = (l: LogLine) => {
    const c = paint(colours[names.indexOf(l.service) % colours.length]!);
    process.stdout.write(`${c(l.service.padEnd(pad))} ${dim(l.time.slice(0, 23))} ${l.text}\n`);
  };
  if (p.flags.has('-f') || p.flags.has('--follow')) {
    for await (const l of mergeLines(sources)) print(l);
  } else {
    // Without follow, all the lines are known: print them in time order.
    const all: LogLine[] = [];
    for await (const l of mergeLines(sources)) all.push(l);
    all.sort((a, b) => a.time.localeCompare(b.time)).forEach(print);
  }
}

function toolImages(stack: Stack): { prometheus: string; alertmanager: string } {
  return { prometheus: stack.service('prometheus').image, alertmanager: stack.service('alertmanager').image };
}

async function cmdValidate(json: boolean): Promise<boolean> {
  const { spec, configDir } = loadSpec();
  let tools: { docker: Docker; images: { prometheus: string; alertmanager: string } } | undefined;
  const note: string[] = [];
  try {
    const docker = await engine();
    const images = toolImages(new Stack(docker, spec));
    const missing = [];
    for (const img of Object.values(images)) if (!(await docker.getImage(img).inspect().then(() => true, () => false))) missing.push(img);
    if (missing.length) note.push(`promtool and amtool were not run: ${missing.join(', ')} not on the engine (\`obsdeck up\` pulls it)`);
    else tools = { docker, images };
  } catch (err) {
    if (!(err instanceof NoEngine)) throw err;
    note.push('promtool and amtool were not run: no Docker engine is reachable');
  }
  const problems = await validateConfigs(configDir, tools);
  const errors = problems.filter((p) => p.severity === 'error');
  if (json) {
    out(JSON.stringify({ configDir, valid: errors.length === 0, toolsRun: tools !== undefined, problems }, null, 2));
  } else {
    for (const p of problems) out(`${path.join(configDir, p.file)}${formatProblem(p).slice(p.file.length)}`);
    for (const n of note) process.stderr.write(`${yellow('note')}: ${n}\n`);
    if (!errors.length) out(green(`${configDir}: valid${tools ? ` (promtool and amtool of ${tools.images.prometheus} and ${tools.images.alertmanager} agree)` : ''}`));
  }
  return errors.length === 0;
}

async function cmdApply(): Promise<void> {
  const { stack, configDir } = await openStack();
  const entry = await applyConfigs(stack, configDir, toolImages(stack), new ConfigHistory(dataDir()), (s) => out(`${dim('…')} ${s.message}`));
  out(green(`✓ applied (${entry.note}); history entry ${entry.id}`));
}

async function cmdHistory(id?: string): Promise<void> {
  const history = new ConfigHistory(dataDir());
  if (!id) {
    const list = history.list();
    if (!list.length) out('nothing has been applied yet');
    for (const e of list) out(`${e.id}  ${e.at}  ${e.note}`);
    return;
  }
  const { configDir } = loadSpec();
  for (const f of CONFIG_FILES) {
    const diff = diffLines(history.read(id, f), fs.readFileSync(path.join(configDir, f), 'utf8'));
    if (!diff.length) continue;
    out(`--- ${f} (${id})\n+++ ${f} (now)`);
    for (const l of diff) out(l.startsWith('+') ? green(l) : red(l));
  }
}

async function prometheus(): Promise<PrometheusClient> {
  const { spec } = loadSpec();
  const service = spec.services.find((s) => s.name === 'prometheus');
  const base = service && serviceBase(service);
  if (!base) throw new Error('the stack has no published Prometheus port');
  return new PrometheusClient(base);
}

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case 'up': {
      const p = parseArgs(args, [], ['--wait']);
      const { stack } = await openStack();
      await stack.up(p.positional, printer(), { wait: p.flags.has('--wait') });
      out(green(p.flags.has('--wait') ? 'the stack is up and ready' : 'the stack is started (`obsdeck status` shows when each service is ready)'));
      return 0;
    }
    case 'down': {
      const p = parseArgs(args, [], ['--volumes', '-v']);
      const { stack } = await openStack();
      await stack.down(printer(), { volumes: p.flags.has('--volumes') || p.flags.has('-v') });
      out(green(p.flags.size ? 'the stack is down and its data deleted' : 'the stack is down; its data is kept in its volumes'));
      return 0;
    }
    case 'restart': {
      const p = parseArgs(args, [], []);
      const { stack } = await openStack();
      await stack.restart(p.positional, printer());
      return 0;
    }
    case 'status': {
      const p = parseArgs(args, [], ['--json']);
      await cmdStatus(p.flags.has('--json'));
      return 0;
    }
    case 'logs':
      await cmdLogs(parseArgs(args, ['--since', '--tail', '--grep'], ['-f', '--follow']));
      return 0;
    case 'validate': {
      const p = parseArgs(args, [], ['--json']);
      return (await cmdValidate(p.flags.has('--json'))) ? 0 : 1;
    }
    case 'apply':
      parseArgs(args, [], []);
      await cmdApply();
      return 0;
    case 'history': {
      const p = parseArgs(args, [], []);
      await cmdHistory(p.positional[0]);
      return 0;
    }
    case 'restore': {
      const p = parseArgs(args, [], []);
      const id = p.positional[0];
      if (!id) throw new UsageError('restore needs a history entry (see `obsdeck history`)');
      const { configDir } = loadSpec();
      new ConfigHistory(dataDir()).restore(id, configDir);
      out(`restored ${id} into ${configDir}`);
      await cmdApply();
      return 0;
    }
    case 'traffic': {
      const p = parseArgs(args, ['--duration', '--rate'], []);
      const scenario = p.positional[0];
      if (!scenario || !(scenario in SCENARIOS)) {
        throw new UsageError(`traffic needs a scenario:\n${Object.entries(SCENARIOS).map(([k, v]) => `  ${k.padEnd(12)} ${v}`).join('\n')}`);
      }
      const target = stackApi(loadSpec().spec);
      const num = (flag: string) => {
        const v = p.values.get(flag);
        if (v === undefined) return undefined;
        const n = Number(v);
        if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} must be a positive number, got "${v}"`);
        return n;
      };
      const controller = new AbortController();
      process.once('SIGINT', () => controller.abort());
      let shown = 0;
      const stats = await runTraffic(scenario as Scenario, {
        ...target,
        durationS: num('--duration'),
        rate: num('--rate'),
        signal: controller.signal,
        onProgress: (st) => {
          if (st.elapsedS - shown >= 5) {
            shown = st.elapsedS;
            out(dim(`  ${st.elapsedS.toFixed(0)} s: ${st.sent} requests (${Object.entries(st.byStatus).map(([k, v]) => `${k}: ${v}`).join(', ')})`));
          }
        },
      });
      out(green(`${scenario}: ${stats.sent} requests in ${stats.elapsedS.toFixed(1)} s (${Object.entries(stats.byStatus).map(([k, v]) => `${k}: ${v}`).join(', ')})`));
      return 0;
    }
    case 'targets': {
      parseArgs(args, [], []);
      const { activeTargets } = await (await prometheus()).targets('active');
      for (const t of activeTargets) {
        const last = t.lastScrape.startsWith('0001') ? 'not scraped yet' : `last scraped ${t.lastScrape.slice(11, 19)} in ${(t.lastScrapeDuration * 1000).toFixed(1)} ms`;
        const health = t.health === 'up' ? green('up     ') : t.health === 'down' ? red('down   ') : yellow('unknown');
        out(`${health}  ${t.labels.job ?? t.scrapePool}  ${t.scrapeUrl}  ${dim(last)}${t.lastError ? `  ${red(t.lastError)}` : ''}`);
      }
      return 0;
    }
    case 'query': {
      const p = parseArgs(args, [], []);
      const expr = p.positional.join(' ');
      if (!expr) throw new UsageError('query needs a PromQL expression');
      const data = await (await prometheus()).query(expr);
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
    }
    case 'engine': {
      const p = parseArgs(args, [], ['--json']);
      const { status } = await discoverEngine();
      if (p.flags.has('--json')) out(JSON.stringify(status, null, 2));
      else if (status.reachable) out(`Docker ${status.version} (API ${status.apiVersion}, ${status.os}/${status.arch}) at ${status.endpoint}`);
      else out(`No Docker engine is reachable. ${status.hint}\nTried:\n${status.tried.map((t) => `  ${t.endpoint}: ${t.error}`).join('\n')}`);
      return status.reachable ? 0 : 3;
    }
    case 'serve': {
      const p = parseArgs(args, ['--port'], []);
      const portText = p.values.get('--port');
      const port = portText === undefined ? 0 : Number(portText);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a whole number from 0 to 65535, got "${portText}"`);
      const backend = new Backend({ defaultServices: process.env.OBSDECK_SERVICES?.split(',').map((x) => x.trim()).filter(Boolean) });
      await backend.start();
      const running = await serve({
        port,
        staticDir: path.join(root, 'dist', 'renderer'),
        api: { engine: async () => (await discoverEngine()).status },
        backend,
      });
      out(`Obsdeck is serving its UI at ${running.url}\n(only this machine can reach it; the token in the URL is the key. Ctrl-C stops it.)`);
      const stop = () => {
        backend.close();
        void running.close().then(() => process.exit(0));
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      return -1; // keeps running
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      out(USAGE.trimEnd());
      return 0;
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`obsdeck: ${err.message}\n\n${USAGE}`);
      process.exitCode = 2;
    } else if (err instanceof NoEngine) {
      process.stderr.write(`obsdeck: ${err.message}\n`);
      process.exitCode = 3;
    } else if (err instanceof PreflightError || err instanceof ServiceFailed || err instanceof ApplyRefused) {
      process.stderr.write(`obsdeck: ${red(err.message)}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`obsdeck: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    }
  },
);
