// Apply = validate → copy into the running containers → /-/reload → confirm → on any failure,
// put the previous files back and reload them. A bad config never replaces a running good one.
import path from 'node:path';
import type Docker from 'dockerode';
import tar from 'tar-stream';
import { tarOf } from '../engine/run-tool.js';
import { AlertmanagerClient, PrometheusClient } from '../prom/client.js';
import { fetchWithin } from '../prom/fetch.js';
import { serviceBase, type ServiceSpec } from '../stack/compose.js';
import type { Stack } from '../stack/stack.js';
import { formatProblem, type Problem } from './expressions.js';
import type { ConfigHistory, HistoryEntry } from './store.js';
import { validateConfigs, type ToolImages } from './validate.js';

export class ApplyRefused extends Error {
  constructor(readonly problems: Problem[]) {
    super(`the configuration was not applied; the running one is unchanged:\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`);
  }
}

export class ApplyRolledBack extends Error {}

export type ApplyStep = { step: 'validate' | 'copy' | 'reload' | 'confirm' | 'rollback' | 'record'; service?: string; message: string };

/** The files a container holds now, by target path (what a rollback puts back). */
export async function filesIn(container: Docker.Container, targets: string[]): Promise<Record<string, Buffer>> {
  const out: Record<string, Buffer> = {};
  for (const target of targets) {
    const stream = await container.getArchive({ path: target });
    const extract = tar.extract();
    await new Promise<void>((resolve, reject) => {
      extract.on('entry', (header, body, next) => {
        const chunks: Buffer[] = [];
        body.on('data', (c: unknown) => chunks.push(c as Buffer));
        body.on('end', () => {
          if (header.type === 'file') out[target] = Buffer.concat(chunks);
          next();
        });
        body.resume();
      });
      extract.on('finish', resolve);
      extract.on('error', reject);
      stream.pipe(extract);
    });
  }
  return out;
}

function url(s: ServiceSpec): string {
  const base = serviceBase(s);
  if (!base) throw new Error(`${s.name} publishes no port to reach it on`);
  return base;
}

/**
 * The service's own word on the reload, read live from its /metrics (the TSDB's copy of these
 * series lags by a scrape interval): `<prefix>_config_last_reload_successful` and the time of
 * the last success, which must be this reload's.
 */
async function confirmReload(base: string, prefix: 'prometheus' | 'alertmanager', since: number): Promise<void> {
  const text = await (await fetchWithin(`${base}/metrics`, 5000)).text();
  const metric = (name: string) => {
    const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
    return m ? Number(m[1]) : undefined;
  };
  const ok = metric(`${prefix}_config_last_reload_successful`);
  const at = metric(`${prefix}_config_last_reload_success_timestamp_seconds`);
  if (ok !== 1 || at === undefined || at < Math.floor(since / 1000) - 1) {
    throw new Error(`${prefix} did not confirm the reload (${prefix}_config_last_reload_successful=${String(ok)}, last success at ${String(at)})`);
  }
}

/**
 * Validates the configs of `configDir`, then puts them into the running Prometheus and
 * Alertmanager and reloads each; on a failed reload, restores what ran before. Returns the
 * history entry of the applied files.
 */
export async function applyConfigs(stack: Stack, configDir: string, tools: ToolImages, history: ConfigHistory, on: (s: ApplyStep) => void = () => undefined): Promise<HistoryEntry> {
  on({ step: 'validate', message: 'validating with the stack\'s own promtool and amtool' });
  const problems = (await validateConfigs(configDir, { docker: stack.docker, images: tools })).filter((p) => p.severity === 'error');
  if (problems.length) throw new ApplyRefused(problems);
  const existing = await stack.containers();
  const targets: { service: ServiceSpec; container: Docker.Container; reload: () => Promise<void> }[] = [];
  for (const name of ['prometheus', 'alertmanager'] as const) {
    const service = stack.service(name);
    const info = existing.get(name);
    if (!info || info.State !== 'running') continue; // it reads the files when it starts
    const base = url(service);
    const client = name === 'prometheus' ? new PrometheusClient(base) : new AlertmanagerClient(base);
    targets.push({ service, container: stack.docker.getContainer(info.Id), reload: async () => {
      const since = Date.now();
      await client.reload();
      await confirmReload(base, name, since);
    } });
  }
  const done: { t: (typeof targets)[number]; before: Record<string, Buffer> }[] = [];
  try {
    for (const t of targets) {
      const mounted = t.service.mounts.filter((m) => m.type === 'bind').map((m) => m.target);
      const before = await filesIn(t.container, mounted);
      on({ step: 'copy', service: t.service.name, message: `copying ${mounted.map((m) => path.posix.basename(m)).join(', ')} into ${t.service.name}` });
      await stack.copyConfigs(t.container, t.service);
      done.push({ t, before });
      on({ step: 'reload', service: t.service.name, message: `reloading ${t.service.name}` });
      await t.reload();
      on({ step: 'confirm', service: t.service.name, message: `${t.service.name} runs the new configuration` });
    }
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    for (const { t, before } of done.reverse()) {
      on({ step: 'rollback', service: t.service.name, message: `restoring ${t.service.name}'s previous configuration` });
      await t.container.putArchive(await tarOf(before), { path: '/' });
      await t.reload().catch(() => undefined);
    }
    throw new ApplyRolledBack(`the new configuration failed (${why}); the previous one was restored and reloaded`, { cause: err });
  }
  const entry = history.record(configDir, `applied to ${targets.map((t) => t.service.name).join(' and ') || 'no running service (used at next start)'}`);
  on({ step: 'record', message: `recorded as ${entry.id}` });
  return entry;
}
