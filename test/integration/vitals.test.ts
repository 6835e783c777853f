// The vitals on a real engine, both ways the app reads them: the Engine API's one-shot stats,
// and (this machine's own engine) the containers' cgroups. A busy loop shows about one core, an
// idle process next to nothing, and the memory is what `docker stats` itself says; the two
// readers agree with each other.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CgroupStats } from '../../main/stack/cgroup-stats.js';
import { pointOf, VitalsKeeper } from '../../main/stack/vitals.js';
import { requireImages, testImages } from '../helpers/images.js';

const docker = new Docker();
const names = { busy: 'obsdeck-test-vitals-busy', idle: 'obsdeck-test-vitals-idle' };
const ids: Record<string, string> = {};

beforeAll(async () => {
  await requireImages(docker, [testImages.node]);
  for (const [role, name] of Object.entries(names)) {
    await docker.getContainer(name).remove({ force: true }).catch(() => undefined);
    const script = role === 'busy' ? 'for (;;) {}' : 'const keep = Buffer.alloc(32 * 1024 * 1024, 1); setInterval(() => keep[0]++, 1000)';
    const c = await docker.createContainer({ name, Image: testImages.node, Cmd: ['-e', script], HostConfig: { NetworkMode: 'none' } });
    await c.start();
    ids[role] = c.id;
  }
}, 60_000);

afterAll(async () => {
  for (const name of Object.values(names)) await docker.getContainer(name).remove({ force: true }).catch(() => undefined);
});

const dockerStatsMemory = async (name: string) => {
  const { stdout } = await promisify(execFile)('docker', ['stats', '--no-stream', '--format', '{{.MemUsage}}', name]);
  const [, amount, unit] = /^([\d.]+)(\w+)/.exec(stdout.trim())!;
  return Number(amount) * ({ B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 } as Record<string, number>)[unit!]!;
};

describe('vitals', () => {
  for (const reader of ['the Engine API', 'the cgroups'] as const) {
    it(`read from ${reader}: a busy container at about one core and an idle one at next to nothing, with docker stats' memory`, async () => {
      const keeper = new VitalsKeeper({ docker: () => docker, running: async () => new Map(Object.entries(ids)), sampled: () => undefined, local: () => reader === 'the cgroups' }, 1000);
      for (let i = 0; i < 4; i++) {
        await keeper.sample();
        await new Promise((r) => setTimeout(r, 700));
      }
      const { services } = keeper.state();
      const busy = services.busy!.at(-1)!;
      const idle = services.idle!.at(-1)!;
      expect(busy.cpuPercent).toBeGreaterThan(50);
      expect(busy.cpuPercent).toBeLessThan(130);
      expect(idle.cpuPercent).toBeLessThan(10);
      // The idle one holds a 32 MiB buffer it has written to.
      expect(idle.memoryBytes).toBeGreaterThan(32 * 1024 * 1024);
      const theirs = await dockerStatsMemory(names.idle);
      expect(Math.abs(idle.memoryBytes - theirs) / theirs).toBeLessThan(0.1);
    }, 60_000);
  }

  it('reads the same figures from a container\'s cgroup as the Engine API gives for it', async () => {
    const cgroups = new CgroupStats(async (id) => (await docker.getContainer(id).inspect()).State.Pid);
    for (const id of Object.values(ids)) {
      // The API's read falls between two reads of the cgroup: its CPU time between theirs.
      const before = pointOf((await cgroups.read(id))!, 0).point;
      const fromApi = pointOf(await docker.getContainer(id).stats({ stream: false, 'one-shot': true } as { stream: false }), 0).point;
      const fromCgroup = pointOf((await cgroups.read(id))!, 0).point;
      expect(fromApi.cpuSeconds).toBeGreaterThanOrEqual(before.cpuSeconds - 0.01);
      expect(fromApi.cpuSeconds).toBeLessThanOrEqual(fromCgroup.cpuSeconds + 0.01);
      expect(Math.abs(fromCgroup.memoryBytes - fromApi.memoryBytes) / fromApi.memoryBytes).toBeLessThan(0.05);
      expect(fromCgroup.memoryLimitBytes).toBe(fromApi.memoryLimitBytes);
      expect([fromCgroup.netRxBytes, fromCgroup.netTxBytes, fromCgroup.blockReadBytes, fromCgroup.blockWriteBytes]).toEqual([fromApi.netRxBytes, fromApi.netTxBytes, fromApi.blockReadBytes, fromApi.blockWriteBytes]);
    }
  }, 60_000);
});
