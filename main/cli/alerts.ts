// `obsdeck alerts test`: the alert path test of the Alerts view, from a terminal. The app's
// receiver is where Alertmanager delivers; when the app (or `obsdeck serve`) holds it, this
// asks that process whether the test's alert arrived (with the install's webhook token); when
// nothing holds it, this process listens there itself for the length of the test.
import { hostGatewayIn } from '../engine/host-gateway.js';
import { pipelineHops, webhookDelivery } from '../alerts/path.js';
import { askAlertmanager, runPathTest } from '../alerts/path-test.js';
import { AlertReceiver, DEFAULT_WEBHOOK_PORT, PATH_TEST_PATH, webhookHost } from '../alerts/receiver.js';
import { AlertmanagerClient, PrometheusClient } from '../prom/client.js';
import { fetchWithin } from '../prom/fetch.js';
import { serviceBase } from '../stack/compose.js';
import { loadSpec } from '../config/project.js';
import { configText } from '../config/change.js';
import type { Stack } from '../stack/stack.js';
import { engineEndpoint, openStack, openTarget } from './context.js';
import { dim, green, out, red } from './output.js';
import { UsageError, type Command, type Parsed } from './table.js';
import { HistoryKeeper } from '../alerts/history.js';
import { dataDir } from '../config/store.js';
import { parseWhen } from '../rules/files.js';

/** `obsdeck alerts history`: the app's alert history, brought up to date from Prometheus when it runs. */
async function printHistory(values: Parsed['values']): Promise<number> {
  const since = parseWhen(typeof values.since === 'string' ? values.since : '24h');
  const { configDir } = loadSpec();
  const opened = await openStack().catch(() => undefined);
  const running = opened && (await (await openTarget(opened.stack)).container('prometheus').catch(() => undefined));
  const base = running ? serviceBase(opened.stack.service('prometheus')) : undefined;
  const keeper = new HistoryKeeper({ dataDir: () => dataDir(), prometheusYml: () => configText(configDir, 'prometheus.yml'), runningPrometheus: () => (base ? new PrometheusClient(base) : undefined) });
  try {
    const note = await keeper.sync();
    const state = keeper.history().state(since);
    if (values.json) {
      out(JSON.stringify(state, null, 2));
      return 0;
    }
    if (note) out(dim(note));
    const when = (t: number | undefined) => (t === undefined ? 'firing' : new Date(t).toISOString().replace('.000Z', 'Z'));
    out(dim('RULE\tLABELS\tFIRED\tRESOLVED'));
    if (!state.entries.length) out(dim('(nothing fired in that time)'));
    for (const e of state.entries) out(`${e.alertname}\t{${Object.entries(e.labels).filter(([k]) => k !== 'alertname').map(([k, v]) => `${k}="${v}"`).join(', ')}}\t${when(e.firedAt)}\t${when(e.resolvedAt)}`);
    return 0;
  } finally {
    keeper.close();
  }
}

export const alertsCommand: Command = {
  name: 'alerts', section: 'Prometheus', args: 'test | history',
  help: 'test the alert path, or print the history of every alert\ntest: a synthetic alert through Alertmanager to Obsdeck\'s receiver and resolved, hop by hop; nothing is sent unless Alertmanager routes the test to the obsdeck receiver alone; exit 1 when a hop fails.\nhistory: each alert that fired (rule, label set, fired, resolved), from the app\'s history and Prometheus\' ALERTS.',
  options: {
    json: { type: 'boolean', help: 'print JSON' },
    since: { type: 'string', value: 'WHEN', help: 'history: from when (a duration back such as 7d, RFC 3339 or Unix seconds; default 24h)' },
  },
  run: async ({ positionals, values }) => {
    if (positionals[0] === 'history' && positionals.length === 1) return printHistory(values);
    if (positionals[0] !== 'test' || positionals.length !== 1) throw new UsageError('alerts takes one action: test or history');
    const { stack } = await openStack();
    const { auth } = loadSpec();
    const amService = stack.service('alertmanager');
    const base = serviceBase(amService);
    if (!base) throw new Error('the stack publishes no Alertmanager port');
    const am = new AlertmanagerClient(base);
    // Plain containers or a Swarm task: whichever target runs the stack.
    const container = await (await openTarget(stack)).container('alertmanager');
    if (!container) throw new Error('Alertmanager is not running: `obsdeck up` first');
    // Where Alertmanager delivers: the engine's word for host.docker.internal, else the app's guess.
    const host = (await hostGatewayIn(container).catch(() => undefined)) ?? (await webhookHost(stack.docker, process.platform, engineEndpoint()));
    const port = Number(process.env.OBSDECK_WEBHOOK_PORT ?? DEFAULT_WEBHOOK_PORT);
    const own = new AlertReceiver();
    own.on('error', () => undefined);
    own.requireToken(auth.webhookToken);
    const listening = (await own.listen(host, port)).listening !== undefined;
    if (!values.json) out(dim(listening ? `listening for the test on ${host}:${port} (no Obsdeck app holds the receiver)` : `asking the Obsdeck process that holds the receiver on ${host}:${port}`));
    const askHolder = async (fp: string) => {
      const res = await fetchWithin(`http://${host}:${port}${PATH_TEST_PATH}${fp}`, 5000, { headers: { authorization: `Bearer ${auth.webhookToken}` } });
      if (!res.ok) throw new Error(`the process on ${host}:${port} answered HTTP ${res.status}`);
      return (await res.json()) as { firing?: string; resolved?: string };
    };
    try {
      const result = await runPathTest({
        alertmanager: am,
        ...askAlertmanager(stack.docker, amService.image, am, () => Promise.resolve(container)),
        seen: (fp) => (listening ? Promise.resolve(own.pathTestSeen(fp)) : askHolder(fp)),
      });
      if (values.json) {
        out(JSON.stringify(result, null, 2));
      } else {
        for (const h of result.hops) out(`${h.ok ? green('✓') : red('✗')} ${h.hop.padEnd(15)} ${dim(`+${(h.afterMs / 1000).toFixed(1)} s`.padStart(8))}  ${h.message}`);
        out(result.ok ? green(`the alert path works (${result.alertname})`) : red(`the alert path test failed at ${result.problem ?? 'a hop'}`));
        if (result.details) out(dim(`details: ${result.details}`));
      }
      return result.ok ? 0 : 1;
    } finally {
      await own.close();
    }
  },
};

/** `obsdeck status`'s alert path line: each hop from the services' own metrics; undefined while Prometheus does not answer. */
export async function alertPathLines(stack: Stack): Promise<string[] | undefined> {
  const promBase = serviceBase(stack.service('prometheus'));
  const amBase = serviceBase(stack.service('alertmanager'));
  if (!promBase) return undefined;
  const prometheus = new PrometheusClient(promBase);
  if (!(await prometheus.buildInfo().then(() => true, () => false))) return undefined;
  // From a terminal the app's receiver is not at hand (no time of its last notification), so a
  // failure is shown when Alertmanager's last logged words are one.
  const container = await (await openTarget(stack)).container('alertmanager').catch(() => undefined);
  const webhook = amBase ? await webhookDelivery(amBase, container) : undefined;
  const hops = await pipelineHops(prometheus, webhook);
  return hops.map((h) => `${h.ok ? green('✓') : red('✗')} ${h.hop}: ${h.message}`);
}
