// `obsdeck up`, `scale`, `down`, `restart`, `status` and `logs`: the stack on whichever target runs it.
import { containerBatches, mergeBatches, type LogLine } from '../stack/logs.js';
import { ensureCan } from '../target/target.js';
import { NO_WAIT } from './lock.js';
import { alertPathLines } from './alerts.js';
import { deployedSwarm, locked, openStack, openSwarm, openTarget } from './context.js';
import { columns, dim, green, out, paint, printer, red, warn, yellow } from './output.js';
import { UsageError, type Command, type Parsed } from './table.js';

/** SERVICE=N pairs (--replicas, scale), each SERVICE one of `services`. */
export function replicaPairs(list: string[], what: string, services: string[]): Record<string, number> {
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

export const stackCommands: Command[] = [
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
        const show = (l: LogLine) => `${(l.task ?? l.service).padEnd(16)} ${dim(l.time.slice(0, 23))} ${l.text}\n`;
        const all: LogLine[] = [];
        for await (const batch of lines) {
          if (values.follow === true) process.stdout.write(batch.map(show).join(''));
          else for (const l of batch) all.push(l);
        }
        process.stdout.write(all.sort((a, b) => a.time.localeCompare(b.time)).map(show).join(''));
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
        return [containerBatches(stack.docker.getContainer(info.Id), n, { follow, since: typeof values.since === 'string' ? values.since : undefined, tail, grep, signal: controller.signal })];
      });
      const pad = Math.max(...names.map((n) => n.length));
      const colours = [36, 35, 34, 33, 32];
      const show = (l: LogLine) => `${paint(colours[names.indexOf(l.service) % colours.length]!)(l.service.padEnd(pad))} ${dim(l.time.slice(0, 23))} ${l.text}\n`;
      if (follow) {
        // A batch is what one read from the engine completed: one write each, not one per line.
        for await (const batch of mergeBatches(sources)) process.stdout.write(batch.map(show).join(''));
      } else {
        // Without follow, all the lines are known: print them in time order.
        const all: LogLine[] = [];
        for await (const batch of mergeBatches(sources)) for (const l of batch) all.push(l);
        process.stdout.write(all.sort((a, b) => a.time.localeCompare(b.time)).map(show).join(''));
      }
      return 0;
    },
  },
];
