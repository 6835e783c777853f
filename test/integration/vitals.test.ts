// The vitals on a real engine: one-shot stats of a busy and an idle container read as docker
// stats reads them. A busy loop shows about one core, an idle process next to nothing, and the
// memory is what `docker stats` itself says.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VitalsKeeper } from '../../main/stack/vitals.js';
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

describe('vitals', () => {
  it('read a busy container at about one core and an idle one at next to nothing, with docker stats\' memory', async () => {
    const keeper = new VitalsKeeper({ docker: () => docker, running: async () => new Map(Object.entries(ids)), sampled: () => undefined }, 1000);
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
    const { stdout } = await promisify(execFile)('docker', ['stats', '--no-stream', '--format', '{{.MemUsage}}', names.idle]);
    const [, amount, unit] = /^([\d.]+)(\w+)/.exec(stdout.trim())!;
    const theirs = Number(amount) * ({ B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 } as Record<string, number>)[unit!]!;
    expect(Math.abs(idle.memoryBytes - theirs) / theirs).toBeLessThan(0.1);
  }, 60_000);
});
