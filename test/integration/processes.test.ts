// Two Obsdeck processes on one stack, as a person makes them: the app (a Host in this process)
// and `obsdeck` in a terminal (child processes of the real CLI), sharing one data directory.
// They take the stack's lock file in turn: two `obsdeck up` at once both succeed with one
// container per service; the app's Apply and `obsdeck apply` at once leave Prometheus running
// what the config directory holds; a lock left by a killed `obsdeck apply` is taken over.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileLock, processStart } from '../../main/host/file-lock.js';
import { Host, type Session } from '../../main/host/host.js';
import { PrometheusClient } from '../../main/prom/client.js';
import { followLogs } from '../../main/stack/follow.js';
import { LABEL } from '../../main/stack/stack.js';
import { CANNOT } from '../../main/target/target.js';
import { waitFor } from '../helpers/http.js';
import { requireImages, testImages } from '../helpers/images.js';
import { removeStack, stackEnv } from '../helpers/stack.js';

const docker = new Docker();
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'obsdeck-procs-'));
const project = `obsdeck-procs-${process.pid}`;
const SERVICES = ['api_poc3', 'prometheus', 'alertmanager'];
let env: NodeJS.ProcessEnv;
let host: Host | undefined;

interface Run { code: number | null; stdout: string; stderr: string; pid: number }

/** Starts `obsdeck ARGS` as a terminal would; `started` resolves at once, `done` when it exits. */
function obsdeck(args: string[]): { pid: number; done: Promise<Run>; kill: () => void } {
  const child = spawn(process.execPath, [path.resolve('bin', 'obsdeck.js'), ...args], { env: { ...env, NO_COLOR: '1' } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<Run>((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr, pid: child.pid! })));
  return { pid: child.pid!, done, kill: () => child.kill('SIGKILL') };
}

const containers = async () => (await docker.listContainers({ all: true, filters: { label: [`${LABEL.project}=${project}`] } }))
  .map((c) => c.Labels[LABEL.service]!).sort();

const configDir = () => path.join(home, 'config');
const scrapeIntervalOfApi = (yaml: string) => /job_name: poc3-security[\s\S]*?scrape_interval: (\d+s)/.exec(yaml)?.[1];

beforeAll(async () => {
  await requireImages(docker, [testImages.api, testImages.prometheus, testImages.alertmanager]);
  env = await stackEnv(project, home);
}, 60_000);

afterAll(async () => {
  host?.close();
  await removeStack(host?.runtime.maybeStack(), home);
}, 120_000);

describe('two Obsdeck processes on one stack', () => {
  it('two `obsdeck up` at once: both exit 0, one waits its turn, one container per service', async () => {
    const a = obsdeck(['up', '--wait', ...SERVICES]);
    const b = obsdeck(['up', '--wait', ...SERVICES]);
    const [ra, rb] = await Promise.all([a.done, b.done]);
    expect([ra.code, rb.code], `${ra.stderr}\n${rb.stderr}`).toEqual([0, 0]);
    for (const r of [ra, rb]) expect(r.stdout).toContain('the stack is up and ready');
    // One of them waited for the other, and said so in one line naming it.
    const waited = [ra, rb].filter((r) => /waiting: `obsdeck up` \(pid \d+\) is running up on this stack/.test(r.stderr));
    expect(waited).toHaveLength(1);
    expect(await containers()).toEqual([...SERVICES].sort());
    expect(fs.readdirSync(path.join(home, 'locks')).filter((f) => f.endsWith('.lock'))).toEqual([]); // released
  }, 240_000);

  it('the app\'s Apply and `obsdeck apply` at once run one after the other; Prometheus loads what the config directory holds', async () => {
    host = new Host({ env, data: home, webhook: false });
    await host.start();
    const busyBy: string[] = [];
    const session: Session = host.connect((event, payload) => {
      const by = event === 'stack:snapshot' ? (payload as { busyBy?: string }).busyBy : undefined;
      if (by) busyBy.push(by);
    });
    const file = path.join(configDir(), 'prometheus.yml');
    const shipped = fs.readFileSync(file, 'utf8');
    expect(scrapeIntervalOfApi(shipped)).toBe('5s');
    // The terminal applies the config directory with 7s; the app applies a draft with 6s.
    fs.writeFileSync(file, shipped.replace('    scrape_interval: 5s\n', '    scrape_interval: 7s\n'));
    const terminal = obsdeck(['apply']);
    await waitFor('the terminal holds the lock', async () => (fs.existsSync(path.join(home, 'locks')) && fs.readdirSync(path.join(home, 'locks')).some((f) => f.endsWith('.lock')) ? true : undefined), 30_000, 20);
    const app = host.handle('config:apply', { file: 'prometheus.yml', text: shipped.replace('    scrape_interval: 5s\n', '    scrape_interval: 6s\n') }, session);
    const [t] = await Promise.all([terminal.done, app]);
    expect(t.code, t.stderr).toBe(0);
    // The app waited for the terminal (the terminal took the lock first), and showed who held it.
    expect(busyBy.some((b) => b === `\`obsdeck apply\` (pid ${terminal.pid}) is running apply`)).toBe(true);
    const prom = new PrometheusClient(host.runtime.published('prometheus'));
    const loaded = scrapeIntervalOfApi((await prom.config()).yaml);
    expect(loaded).toBe(scrapeIntervalOfApi(fs.readFileSync(file, 'utf8')));
    expect(loaded).toBe('6s'); // the app's, applied second
    expect(host.runtime.history().list().slice(0, 2).map((e) => e.note)).toHaveLength(2);
  }, 240_000);

  it('a lock left by a killed `obsdeck apply` is taken over, saying so, and the stack ends as the config directory says', async () => {
    const file = path.join(configDir(), 'prometheus.yml');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/(job_name: poc3-security[\s\S]*?scrape_interval: )\d+s/, '$18s'));
    const doomed = obsdeck(['apply']);
    const locks = path.join(home, 'locks');
    await waitFor('the doomed apply holds the lock', async () => (fs.readdirSync(locks).some((f) => f.endsWith('.lock')) ? true : undefined), 30_000, 10);
    doomed.kill();
    await doomed.done;
    expect(fs.readdirSync(locks).filter((f) => f.endsWith('.lock'))).toHaveLength(1); // left behind
    // Another process holds nothing: --no-wait takes it over rather than refusing.
    const next = await obsdeck(['apply', '--no-wait']).done;
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).toContain(`took over the stack's lock from \`obsdeck apply\` (pid ${doomed.pid}), which ended while running apply`);
    const prom = new PrometheusClient(host!.runtime.published('prometheus'));
    expect(scrapeIntervalOfApi((await prom.config()).yaml)).toBe('8s');
  }, 240_000);

  it('--no-wait refuses while a live process holds the lock, naming it (exit 4)', async () => {
    // A holder that stays put for as long as the test needs: a live process named in the lock.
    const holder = spawn('sleep', ['60'], { stdio: 'ignore' });
    const engine = host!.runtime.engineStatus();
    const lock = FileLock.for(home, engine.reachable ? engine.endpoint.split(' ')[0]! : '', project);
    try {
      fs.writeFileSync(lock.file, JSON.stringify({ pid: holder.pid, started: processStart(holder.pid!), host: os.hostname(), command: 'obsdeck restart', work: 'restart', since: new Date().toISOString() }));
      const refused = await obsdeck(['apply', '--no-wait']).done;
      expect(refused.code).toBe(4);
      expect(refused.stderr).toContain(`the stack is busy: \`obsdeck restart\` (pid ${holder.pid}) is running restart`);
      // The app says the same, and refuses a click the same way.
      await expect(host!.handle('stack:restart', { services: ['alertmanager'] }, host!.connect(() => undefined))).rejects.toMatchObject({ error: { code: 'BUSY', message: expect.stringContaining(`\`obsdeck restart\` (pid ${holder.pid}) is running restart`) as unknown } });
      expect(host!.runtime.snapshot().busyBy).toBe(`\`obsdeck restart\` (pid ${holder.pid}) is running restart`);
    } finally {
      holder.kill('SIGKILL');
      fs.rmSync(lock.file, { force: true });
    }
  }, 60_000);

  it('says the same sentence in the app and the CLI for what the containers target cannot do (Scale)', async () => {
    const ui = await host!.handle('stack:scale', { service: 'api_poc3', replicas: 2 }, host!.connect(() => undefined)).then(() => undefined, (e: unknown) => (e as { error: { code: string; message: string } }).error);
    const cli = await obsdeck(['scale', 'api_poc3=2']).done;
    expect(ui).toEqual({ code: 'BAD_REQUEST', message: CANNOT.containers.scale });
    expect(cli.code).toBe(2);
    expect(cli.stderr.trim()).toBe(`obsdeck: ${CANNOT.containers.scale}`);
  }, 60_000);

  it('a log follow begun before a container starts sees its lines', async () => {
    await host!.handle('stack:stop', { services: ['api_poc3'] }, host!.connect(() => undefined));
    const lines: string[] = [];
    const follow = await followLogs(host!.runtime.target().logSources(), { services: ['api_poc3'], tail: 0 }, (batch) => lines.push(...batch.map((l) => l.text)));
    try {
      const since = Date.now();
      await host!.handle('stack:up', { services: ['api_poc3'] }, host!.connect(() => undefined));
      await waitFor('the restarted API\'s lines', async () => (lines.length > 0 ? true : undefined), 20_000, 250);
      expect(Date.now() - since).toBeLessThan(60_000);
    } finally {
      follow.stop();
    }
  }, 90_000);
});
