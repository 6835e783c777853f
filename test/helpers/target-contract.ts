// The one contract every deployment target keeps, run on the real engine against each of them
// (test/integration/target-containers.test.ts, test/integration/swarm.test.ts): pre-flight → up
// → status → a log follow that sees a service started after it began → apply (a bad config
// refused, the running one kept; a good one live) → the diff against what runs → restore → each
// operation the target declares it cannot do refused with its sentence → a hung engine refused
// in time with the lock free → down, the volumes kept. The next target is one more call of
// targetContract(), not a third copy of these tests.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ApplyRefused, applyChange, restoreEntry, type ChangeContext } from '../../main/config/change.js';
import type { ConfigHistory } from '../../main/config/store.js';
import type { LogLine } from '../../main/contract.js';
import { TimeoutError } from '../../main/engine/timeout.js';
import { StackLock } from '../../main/host/lock.js';
import type { PrometheusClient } from '../../main/prom/client.js';
import { followLogs } from '../../main/stack/follow.js';
import { CANNOT, Unsupported, ensureCan, type Operation, type Target } from '../../main/target/target.js';
import { waitFor } from './http.js';

export interface ContractSetup {
  target: Target;
  /** The same target's kind on an engine that answers a ping and nothing else. */
  hung: Target;
  configDir: string;
  history: ConfigHistory;
  prometheus: PrometheusClient;
  /** The project's volumes on the engine now. */
  volumes: () => Promise<string[]>;
  /** What this target's running prometheus.yml shows beside the applied change (Swarm: the DNS discovery rewrite). */
  runningPrometheus?: (text: string) => void;
}

const FIRST = ['api_poc3'];
const LATER = ['prometheus', 'alertmanager'];

/** Registers the contract's tests for the target `setup()` gives (called once the suite's beforeAll ran). */
export function targetContract(kind: Target['kind'], setup: () => ContractSetup): void {
  describe(`the ${kind} target keeps the target contract`, () => {
    const ctx = (): ChangeContext => ({ target: setup().target.config(), configDir: setup().configDir, history: setup().history });
    const promFile = () => path.join(setup().configDir, 'prometheus.yml');
    let good = '';
    let at20 = '';

    it('finds nothing in the way before Start, and starts a service that is ready', async () => {
      const { target } = setup();
      expect(target.kind).toBe(kind);
      expect(await target.preflight([...FIRST, ...LATER])).toEqual([]);
      expect((await target.up(FIRST, () => undefined)).skipped).toEqual([]);
      const api = (await target.status()).find((s) => s.service === 'api_poc3')!;
      expect(api).toMatchObject({ state: 'running', ready: true });
      expect(api.ports.length).toBeGreaterThan(0);
    }, 180_000);

    it('follows the logs of a service started after the follow began', async () => {
      const { target } = setup();
      const lines: LogLine[] = [];
      const follow = await followLogs(target.logSources(), { tail: 1 }, (batch) => lines.push(...batch));
      try {
        await target.up(LATER, () => undefined);
        const st = await target.status();
        for (const name of [...FIRST, ...LATER]) expect(st.find((s) => s.service === name), name).toMatchObject({ state: 'running', ready: true });
        // The vitals read each running container: a service's, or on Swarm each task's by its slot.
        const sources = await target.vitalsSources();
        expect([...sources.keys()].sort()).toEqual([...FIRST, ...LATER].sort().map((s) => (kind === 'swarm' ? `${s}/1` : s)));
        // Prometheus logs "Server is ready to receive web requests." once it starts, Alertmanager "Listening".
        const seen = () => ({
          prometheus: lines.some((l) => l.service === 'prometheus' && /ready to receive/i.test(l.text)),
          alertmanager: lines.some((l) => l.service === 'alertmanager' && /listening/i.test(l.text)),
        });
        await waitFor('the start-up lines of both in the follow', async () => (seen().prometheus && seen().alertmanager ? true : undefined), 60_000, 500).catch((err: unknown) => {
          throw new Error(`${(err as Error).message}: ${JSON.stringify(seen())}`);
        });
      } finally {
        follow.stop();
      }
    }, 240_000);

    it('refuses a bad config and keeps the running one; a good one runs, and the diff reads what runs', async () => {
      const { prometheus, configDir } = setup();
      good = fs.readFileSync(promFile(), 'utf8');
      const before = (await prometheus.config()).yaml;
      await expect(applyChange(ctx(), { 'prometheus.yml': good.replace('scrape_interval: 15s', 'scrape_interval: fast') })).rejects.toThrow(ApplyRefused);
      expect(fs.readFileSync(promFile(), 'utf8')).toBe(good);
      expect((await prometheus.config()).yaml).toBe(before);

      const better = good.replace('scrape_interval: 15s', 'scrape_interval: 20s');
      at20 = (await applyChange(ctx(), { 'prometheus.yml': better })).id;
      expect(fs.readFileSync(promFile(), 'utf8')).toBe(better);
      await waitFor('Prometheus running the new config', async () => ((await prometheus.config().catch(() => ({ yaml: '' }))).yaml.includes('scrape_interval: 20s') ? true : undefined), 90_000, 1000);
      // The Config view's diff and its "running in" read the files the services run now.
      const running = await ctx().target.runningFiles();
      expect(running['prometheus.yml']).toContain('scrape_interval: 20s');
      setup().runningPrometheus?.(running['prometheus.yml']!);
      expect(running['alertmanager.yml']).toBe(fs.readFileSync(path.join(configDir, 'alertmanager.yml'), 'utf8'));
    }, 240_000);

    it('restores a history entry: its files run again (the UI\'s Restore and `obsdeck restore`)', async () => {
      const { prometheus } = setup();
      await applyChange(ctx(), { 'prometheus.yml': good.replace('scrape_interval: 15s', 'scrape_interval: 25s') });
      expect((await ctx().target.runningFiles())['prometheus.yml']).toContain('scrape_interval: 25s');
      await restoreEntry(ctx(), at20);
      expect((await ctx().target.runningFiles())['prometheus.yml']).toContain('scrape_interval: 20s');
      expect(fs.readFileSync(promFile(), 'utf8')).toContain('scrape_interval: 20s');
      await waitFor('Prometheus running the restored config', async () => ((await prometheus.config().catch(() => ({ yaml: '' }))).yaml.includes('scrape_interval: 20s') ? true : undefined), 90_000, 1000);
    }, 240_000);

    it('refuses what it declares it cannot do, with its one sentence', async () => {
      const { target } = setup();
      expect(target.cannot).toEqual(CANNOT[kind]);
      const calls: Record<Operation, () => Promise<unknown>> = {
        scale: () => target.scale('api_poc3', 2, () => undefined),
        'stop a service': () => target.stop(['api_poc3'], () => undefined),
        'restart a service': () => target.restart(['api_poc3'], () => undefined),
        'compose apply': async () => ensureCan(target, 'compose apply'),
      };
      for (const [op, why] of Object.entries(target.cannot) as [Operation, string][]) {
        const err = await calls[op]().then(() => undefined, (e: unknown) => e);
        expect(err, op).toBeInstanceOf(Unsupported);
        expect((err as Error).message).toBe(why);
      }
      // Refused before it touched anything: every service still runs.
      expect((await target.status()).filter((s) => [...FIRST, ...LATER].includes(s.service)).every((s) => s.state === 'running')).toBe(true);
    }, 60_000);

    it('fails in time on a hung engine, naming the call, and lets the lock go', async () => {
      const { hung } = setup();
      const lock = new StackLock(() => undefined);
      const started = Date.now();
      const up = await lock.run('up', () => hung.up(FIRST, () => undefined)).then(() => undefined, (e: unknown) => e);
      expect(up).toBeInstanceOf(TimeoutError);
      expect((up as Error).message).toMatch(/^the Docker engine did not answer within 500 ms \(.+\); it may be hung or overloaded$/);
      expect(lock.busy).toBeUndefined();
      await expect(lock.run('up', () => hung.status())).rejects.toBeInstanceOf(TimeoutError);
      await expect(lock.run('apply', () => hung.config().runningFiles())).rejects.toBeInstanceOf(TimeoutError);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(lock.busy).toBeUndefined();
    }, 30_000);

    it('down removes what runs and keeps the data volumes', async () => {
      const { target, volumes } = setup();
      const before = await volumes();
      expect(before.length).toBeGreaterThan(0);
      await target.down(() => undefined);
      const st = await target.status();
      expect(st.filter((s) => [...FIRST, ...LATER].includes(s.service)).map((s) => s.state)).toEqual(['missing', 'missing', 'missing']);
      expect(await volumes()).toEqual(before);
    }, 180_000);
  });
}
