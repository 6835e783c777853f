// One path for every config change (the Config view's Apply and Restore, `obsdeck apply` and
// `restore`): validate the draft as text, stage it beside the live files, copy it into the
// running services, reload, confirm; only then rename it into the config directory and record
// it. Any failure undoes what was done, in reverse, through one rollback policy (also the
// compose file's). A refused or rolled-back draft never sits in the config directory.
import fs from 'node:fs';
import path from 'node:path';
import type Docker from 'dockerode';
import type { ConfigStep } from '../contract.js';
import { filesIn } from '../engine/run-tool.js';
import { AlertmanagerClient, PrometheusClient } from '../prom/client.js';
import { fetchWithin } from '../prom/fetch.js';
import { serviceBase } from '../stack/compose.js';
import type { Stack } from '../stack/stack.js';
import { formatProblem, type Problem } from './expressions.js';
import { GENERATED, kindOf, readByService, readSet, setPath } from './manifest.js';
import { sloOutputs } from '../slo/files.js';
import { SLO_RULES_FILE } from '../slo/generate.js';
import { SLOS_FILE } from '../slo/spec.js';
import { CONFIG_FILES, type ConfigFile, type ConfigHistory, type HistoryEntry } from './store.js';
import { rulesBroken, validateRuleTests, validateTexts, type ToolImages } from './validate.js';

export class ApplyRefused extends Error {
  constructor(readonly problems: Problem[], what = 'the configuration') {
    super(`${what} was not applied; the running one is unchanged:\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`);
  }
}

export class ApplyRolledBack extends Error {}

export { filesIn };

export type ApplyStep = ConfigStep;
export type OnApplyStep = (s: ApplyStep) => void;

/**
 * New texts for files of the config directory's set (manifest.ts), by their path inside it:
 * the services' files, and rule tests (tests/NAME.yml).
 */
export type Drafts = Partial<Record<string, string>>;

/** The files the services read, with a draft laid over them: what would run after the change. */
export function textsOf(configDir: string, drafts: Drafts = {}): Record<ConfigFile, string> {
  return Object.fromEntries(CONFIG_FILES.map((f) => [f, drafts[f] ?? fs.readFileSync(path.join(configDir, f), 'utf8')])) as Record<ConfigFile, string>;
}

/** Whether a change of these drafts (none: the whole directory) reaches a service. */
const reachesServices = (drafts: Drafts) => !Object.keys(drafts).length || Object.keys(drafts).some(readByService);

const ruleTestDrafts = (drafts: Drafts) => Object.fromEntries(Object.entries(drafts).filter((e): e is [string, string] => kindOf(e[0]) === 'rule-test' && e[1] !== undefined));

const onDisk = (configDir: string, rel: string) => (fs.existsSync(path.join(configDir, rel)) ? fs.readFileSync(path.join(configDir, rel), 'utf8') : undefined);

/**
 * The drafts with the files Obsdeck generates from them (slos.yml's rules and test, made again
 * when slos.yml or prometheus.yml changes, or the whole directory is applied), and the problems
 * of the objectives. A generated file is never a draft of its own.
 */
export function withGenerated(configDir: string, drafts: Drafts): { drafts: Drafts; problems: Problem[] } {
  const problems: Problem[] = Object.keys(drafts).filter((f) => f in GENERATED).map((f) => ({ file: f, severity: 'error' as const, message: `${f} is generated from ${GENERATED[f]!}: edit ${GENERATED[f]!}, and Apply writes both` }));
  const full = !Object.keys(drafts).length;
  const slos = drafts[SLOS_FILE] ?? (full || drafts['prometheus.yml'] !== undefined ? onDisk(configDir, SLOS_FILE) : undefined);
  if (slos === undefined || problems.length) return { drafts, problems };
  const out = sloOutputs(slos, drafts['prometheus.yml'] ?? onDisk(configDir, 'prometheus.yml') ?? '');
  // Files that come out as they are on disk are not changes (a whole-directory apply stays whole).
  const changed = Object.fromEntries(Object.entries(out.files).filter(([f, t]) => onDisk(configDir, f) !== t));
  return { drafts: full && !Object.keys(changed).length ? drafts : { ...drafts, ...changed }, problems: out.problems };
}

/** The rule files beside prometheus.yml other than prometheus_rules.yml (slo_rules.yml), drafted or on disk. */
function otherRuleFiles(configDir: string, drafts: Drafts): Record<string, string> {
  const text = drafts[SLO_RULES_FILE] ?? onDisk(configDir, SLO_RULES_FILE);
  return text === undefined ? {} : { [SLO_RULES_FILE]: text };
}

/**
 * The problems of a change: the objectives' (slos.yml), the services' files checked together
 * when the change touches one of them (by the stack's promtool and amtool when `tools`), and
 * each drafted rule test run against the rules it would sit beside.
 */
async function changeProblems(configDir: string, given: Drafts, tools: { docker: Docker; images: ToolImages } | undefined): Promise<{ drafts: Drafts; problems: Problem[] }> {
  for (const f of Object.keys(given)) setPath(f);
  const { drafts, problems } = withGenerated(configDir, given);
  if (problems.some((p) => p.severity === 'error')) return { drafts, problems };
  const texts = textsOf(configDir, drafts);
  const rules = otherRuleFiles(configDir, drafts);
  const services = reachesServices(drafts) ? await validateTexts(texts, configDir, tools, rules) : [];
  return {
    drafts,
    problems: [
      ...problems,
      ...services,
      ...await validateRuleTests(ruleTestDrafts(drafts), { 'prometheus_rules.yml': texts['prometheus_rules.yml'], ...rules }, rulesBroken(services) ? undefined : tools),
    ],
  };
}

/** The stack's promtool and amtool, when its images are on the engine (else why they are not used). */
export async function toolsOf(stack: Stack | undefined): Promise<{ tools?: { docker: Docker; images: ToolImages }; why?: string }> {
  if (!stack) return { why: 'promtool and amtool were not run: no Docker engine is reachable' };
  const images = { prometheus: stack.service('prometheus').image, alertmanager: stack.service('alertmanager').image };
  const missing: string[] = [];
  for (const img of Object.values(images)) if (!(await stack.docker.getImage(img).inspect().then(() => true, () => false))) missing.push(img);
  if (missing.length) return { why: `promtool and amtool were not run: ${missing.join(', ')} not on the engine (\`obsdeck up\` pulls it)` };
  return { tools: { docker: stack.docker, images } };
}

/** The problems of the drafts as Apply checks them, with the tools already found (or none). */
export async function draftProblems(configDir: string, drafts: Drafts, tools: { docker: Docker; images: ToolImages } | undefined): Promise<Problem[]> {
  return (await changeProblems(configDir, drafts, tools)).problems;
}

/** Every problem of the config directory with the drafts laid over it, checked as text (nothing is written). */
export async function validateDraft(configDir: string, drafts: Drafts, stack?: Stack): Promise<Problem[]> {
  const { tools, why } = await toolsOf(stack);
  const problems = await draftProblems(configDir, drafts, tools);
  const file = Object.keys(drafts)[0] ?? 'prometheus.yml';
  return why ? [...problems, { file, severity: 'warning', message: why }] : problems;
}

/**
 * Runs `work` with an undo list: each step that changed something registers how to put it
 * back; on failure the undos run newest first (each one's own failure does not stop the rest),
 * and the error is rethrown as `wrap(err)`.
 */
export async function withRollback<T>(work: (undo: (fn: () => Promise<void> | void) => void) => Promise<T>, wrap: (err: unknown) => Error): Promise<T> {
  const undos: (() => Promise<void> | void)[] = [];
  try {
    return await work((fn) => undos.push(fn));
  } catch (err) {
    for (const fn of undos.reverse()) {
      try {
        await fn();
      } catch { /* the next undo still runs; the error below says the change failed */ }
    }
    throw wrap(err);
  }
}

/** Writes `text` beside `file` (fsynced); rename the returned path into place to commit it. */
export function stageBeside(file: string, text: string): string {
  const staged = `${file}.obsdeck-staged`;
  const fd = fs.openSync(staged, 'w', 0o600);
  try {
    fs.writeFileSync(fd, text);
    fs.fsyncSync(fd);
  } catch (err) {
    fs.closeSync(fd);
    fs.rmSync(staged, { force: true });
    throw err;
  }
  fs.closeSync(fd);
  return staged;
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
 * Where config files go, for the target the stack runs on: what validates them (the stack's own
 * promtool and amtool), which running services get which changed files (each with how to deliver
 * them and how to undo that), and the files the services run now (the Config view's diff). The
 * containers target copies and hot-reloads (containersConfig below); the Swarm target makes new
 * versioned configs and updates the service (swarm/swarm.ts).
 */
export interface ConfigTarget {
  docker: Docker;
  images: ToolImages;
  /** The running services that mount any of `changed` (config-directory paths). */
  deliveries(changed: string[]): Promise<ConfigDelivery[]>;
  runningFiles(): Promise<Partial<Record<ConfigFile, string>>>;
  /** How the history names what was done: "applied to prometheus and alertmanager". */
  noteFor(services: string[]): string;
  /** What "the previous one was restored" adds for this target (" and reloaded"). */
  restoredHow: string;
}

export interface ConfigDelivery {
  service: string;
  /** Puts `replace` (config-directory path → content) into the service and confirms it runs it. */
  deliver(replace: Record<string, Buffer>, on: OnApplyStep): Promise<void>;
  /** Puts back what the service ran before deliver(). */
  undo(on: OnApplyStep): Promise<void>;
}

/** The containers target's config delivery: copy into the running container, reload, confirm. */
export function containersConfig(stack: Stack, tools?: ToolImages): ConfigTarget {
  return {
    docker: stack.docker,
    images: tools ?? { prometheus: stack.service('prometheus').image, alertmanager: stack.service('alertmanager').image },
    noteFor: (services) => `applied to ${services.join(' and ') || 'no running service (used at next start)'}`,
    restoredHow: ' and reloaded',
    runningFiles: () => runningFiles(stack),
    deliveries: async () => {
      const existing = await stack.containers();
      const out: ConfigDelivery[] = [];
      for (const name of ['prometheus', 'alertmanager'] as const) {
        const service = stack.service(name);
        const info = existing.get(name);
        if (!info || info.State !== 'running') continue; // it gets the files when it starts
        const base = serviceBase(service);
        if (!base) throw new Error(`${name} publishes no port to reach it on`);
        const client = name === 'prometheus' ? new PrometheusClient(base) : new AlertmanagerClient(base);
        const container = stack.docker.getContainer(info.Id);
        const reload = async () => {
          const since = Date.now();
          await client.reload();
          await confirmReload(base, name, since);
        };
        const mounted = service.mounts.filter((m) => m.type === 'bind').map((m) => m.target);
        let before: Record<string, Buffer> | undefined;
        out.push({
          service: name,
          deliver: async (replace, on) => {
            before = await filesIn(container, mounted);
            on({ step: 'copy', service: name, message: `copying ${mounted.map((m) => path.posix.basename(m)).join(', ')} into ${name}` });
            await stack.copyConfigs(container, service, { replace });
            on({ step: 'reload', service: name, message: `reloading ${name}` });
            await reload();
            on({ step: 'confirm', service: name, message: `${name} runs the new configuration` });
          },
          undo: async (on) => {
            if (!before) return;
            on({ step: 'rollback', service: name, message: `restoring ${name}'s previous configuration` });
            await stack.putFiles(container, service, before);
            await reload().catch(() => undefined);
          },
        });
      }
      return out;
    },
  };
}

export interface ChangeContext {
  /** Where the files go: containersConfig(stack), or the Swarm stack's config target. */
  target: ConfigTarget;
  configDir: string;
  history: ConfigHistory;
  on?: OnApplyStep;
}

/**
 * Applies the config directory with `drafts` laid over it, on whichever target the stack runs.
 * Returns the history entry of what now runs. Throws ApplyRefused (invalid: nothing changed) or
 * ApplyRolledBack (a step failed: everything put back, the config directory and history included).
 */
export async function applyChange(ctx: ChangeContext, given: Drafts = {}): Promise<HistoryEntry> {
  const { target, configDir, history } = ctx;
  const on = ctx.on ?? (() => undefined);
  on({ step: 'validate', message: 'validating with the stack\'s own promtool and amtool' });
  const checked = await changeProblems(configDir, given, { docker: target.docker, images: target.images });
  const problems = checked.problems.filter((p) => p.severity === 'error');
  if (problems.length) throw new ApplyRefused(problems);
  const drafts = checked.drafts;
  const texts = { ...textsOf(configDir, drafts), ...otherRuleFiles(configDir, drafts) };
  const replace = Object.fromEntries(Object.entries(texts).map(([f, t]) => [path.join(configDir, f), Buffer.from(t)]));
  // A rule test is read by no service: saving it changes nothing that runs.
  const deliveries = !reachesServices(drafts) ? []
    : await target.deliveries(Object.keys(drafts).length ? Object.keys(drafts).map((f) => path.join(configDir, f)) : Object.keys(replace));
  const note = reachesServices(drafts) ? target.noteFor(deliveries.map((d) => d.service)) : `saved ${Object.keys(drafts).join(', ')} (no service reads it)`;
  const written = Object.entries(drafts).filter((e): e is [string, string] => e[1] !== undefined);
  let touched = false;
  return withRollback(async (undo) => {
    // Staged first: a directory that cannot be written refuses the change before any service sees it.
    const staged = written.map(([f, text]) => {
      fs.mkdirSync(path.dirname(path.join(configDir, f)), { recursive: true });
      return { file: path.join(configDir, f), staged: stageBeside(path.join(configDir, f), text) };
    });
    undo(() => staged.forEach((s) => fs.rmSync(s.staged, { force: true })));
    // The history holds the whole set as it is after the change.
    const entry = history.stage({ ...readSet(configDir), ...Object.fromEntries(written) }, note);
    undo(() => entry.discard());
    for (const d of deliveries) {
      undo(() => d.undo(on));
      touched = true;
      await d.deliver(replace, on);
    }
    const committed = entry.commit();
    for (const s of staged) {
      const previous = fs.existsSync(s.file) ? fs.readFileSync(s.file) : undefined;
      fs.renameSync(s.staged, s.file);
      undo(() => (previous ? fs.writeFileSync(s.file, previous) : fs.rmSync(s.file, { force: true })));
    }
    on({ step: 'record', message: `recorded as ${committed.id}` });
    return committed;
  }, (err) => (err instanceof ApplyRolledBack ? err
    : new ApplyRolledBack(`the new configuration failed (${err instanceof Error ? err.message : String(err)}); ${touched ? `the previous one was restored${target.restoredHow}` : 'nothing was changed'}`, { cause: err })));
}

/**
 * The files a history entry holds, as drafts to apply again. A rule test recorded after the
 * entry stays (Restore puts back what the entry had; it deletes nothing of the user's). Generated
 * files are left out: they come again from the entry's slos.yml.
 */
export function entryDrafts(history: ConfigHistory, id: string): Drafts {
  // What is generated is made again from the entry's sources, by this version of the generator.
  return Object.fromEntries(history.files(id).filter((f) => !(f in GENERATED)).map((f) => [f, history.read(id, f)]));
}

/** Applies an entry of the history again, through the same path as any change. */
export function restoreEntry(ctx: ChangeContext, id: string): Promise<HistoryEntry> {
  return applyChange(ctx, entryDrafts(ctx.history, id));
}

/** A file of the config directory as it is now ('' when it cannot be read). */
export function configText(configDir: string, name: string): string {
  try {
    return fs.readFileSync(path.join(configDir, setPath(name)), 'utf8');
  } catch {
    return '';
  }
}

/**
 * The config files in force: as the running services hold them, else the config directory's
 * copies (what they run once they start). What a backtest or a routing view reads as "applied".
 */
export async function appliedFiles(target: ConfigTarget | undefined, configDir: string): Promise<Record<ConfigFile, string>> {
  const running = target ? await target.runningFiles().catch((): Partial<Record<ConfigFile, string>> => ({})) : {};
  return textsOf(configDir, running);
}

/** The config files as the running Prometheus and Alertmanager hold them (for the diff). */
export async function runningFiles(stack: Stack | undefined): Promise<Partial<Record<ConfigFile, string>>> {
  const out: Partial<Record<ConfigFile, string>> = {};
  if (!stack) return out;
  const existing = await stack.containers();
  for (const [service, files] of [['prometheus', ['prometheus.yml', 'prometheus_rules.yml']], ['alertmanager', ['alertmanager.yml']]] as const) {
    const info = existing.get(service);
    if (info?.State !== 'running') continue;
    const dir = service === 'prometheus' ? '/etc/prometheus' : '/etc/alertmanager';
    const got: Record<string, Buffer> = await filesIn(stack.docker.getContainer(info.Id), files.map((f) => `${dir}/${f}`)).catch(() => ({}));
    for (const f of files) {
      const b = got[`${dir}/${f}`];
      if (b) out[f] = b.toString('utf8');
    }
  }
  return out;
}

/** `obsdeck apply` and the integration tests: the config directory as it is on disk, into plain containers. */
export function applyConfigs(stack: Stack, configDir: string, tools: ToolImages, history: ConfigHistory, on?: OnApplyStep): Promise<HistoryEntry> {
  return applyChange({ target: containersConfig(stack, tools), configDir, history, ...(on ? { on } : {}) });
}

/**
 * The config files whose copy in the running services differs from the config directory: what
 * an apply that was cut short (a crashed or killed process) left behind.
 */
export async function driftFromConfigDir(target: ConfigTarget, configDir: string): Promise<ConfigFile[]> {
  const running = await target.runningFiles();
  return (Object.keys(running) as ConfigFile[]).filter((f) => {
    const onDisk = fs.existsSync(path.join(configDir, f)) ? fs.readFileSync(path.join(configDir, f), 'utf8') : undefined;
    return onDisk !== undefined && running[f] !== onDisk;
  });
}
