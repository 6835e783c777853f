import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { blockIo, cgroupPaths, CgroupStats, netDev, systemCpu } from './cgroup-stats.js';
import { pointOf } from './vitals.js';

const ID = 'b2bb3b61a0f4c17147b8dbcc6820c44543e4513283938cf17a741445abfb7a88';
const V1 = [9, 'name=systemd', 8, 'pids', 7, 'blkio', 4, 'memory', 2, 'cpuacct', 1, 'cpu'].reduce<string[]>((out, x, i, a) => (i % 2 ? out : [...out, `${x}:${a[i + 1]}:/docker/${ID}`]), []).join('\n') + `\n0::/docker/${ID}\n`;
const NET_DEV = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:    9999       4    0    0    0     0          0         0     9999       4    0    0    0     0       0          0
  eth0:     400       4    0    0    0     0          0         0      250       3    0    0    0     0       0          0
  eth1:     100       1    0    0    0     0          0         0       50       1    0    0    0     0       0          0
`;
const PROC_STAT = 'cpu  100 0 50 1000 10 0 5 7 0 0\ncpu0 50 0 25 500 5 0 2 3 0 0\n';

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  dirs = [];
});

/** A /sys/fs/cgroup and a /proc with one container's files, as the kernel lays them out. */
function tree(version: 1 | 2, pid = 4242): { root: string; proc: string } {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'obsdeck-cgroup-'));
  dirs.push(base);
  const root = path.join(base, 'sys');
  const proc = path.join(base, 'proc');
  const put = (p: string, text: string) => {
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, text);
  };
  put(path.join(proc, 'stat'), PROC_STAT);
  put(path.join(proc, String(pid), 'net', 'dev'), NET_DEV);
  if (version === 1) {
    put(path.join(proc, String(pid), 'cgroup'), V1);
    put(path.join(root, 'cpuacct', 'docker', ID, 'cpuacct.usage'), '2500000000\n');
    put(path.join(root, 'memory', 'docker', ID, 'memory.usage_in_bytes'), '50000000\n');
    put(path.join(root, 'memory', 'docker', ID, 'memory.limit_in_bytes'), '9223372036854771712\n');
    put(path.join(root, 'memory', 'docker', ID, 'memory.stat'), 'cache 20000000\ninactive_file 1\ntotal_inactive_file 10000000\n');
    put(path.join(root, 'blkio', 'docker', ID, 'blkio.throttle.io_service_bytes_recursive'), '8:0 Read 4096\n8:0 Write 8192\n8:0 Sync 1\n8:0 Total 12288\n8:16 Read 100\nTotal 12388\n');
  } else {
    put(path.join(proc, String(pid), 'cgroup'), `0::/system.slice/docker-${ID}.scope\n`);
    const dir = path.join(root, 'system.slice', `docker-${ID}.scope`);
    put(path.join(dir, 'cpu.stat'), 'usage_usec 2500000\nuser_usec 2000000\nsystem_usec 500000\n');
    put(path.join(dir, 'memory.current'), '50000000\n');
    put(path.join(dir, 'memory.max'), '268435456\n');
    put(path.join(dir, 'memory.stat'), 'anon 30000000\nfile 20000000\ninactive_file 10000000\n');
    put(path.join(dir, 'io.stat'), '8:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0\n8:16 rbytes=100 wbytes=0 rios=1 wios=0 dbytes=0 dios=0\n');
  }
  return { root, proc };
}

describe('a container\'s vitals from its cgroup', () => {
  it('finds the cgroup of v1 (named controllers, also beside the unified line), of v2, and of no other container', () => {
    expect(cgroupPaths(V1, ID, '/sys/fs/cgroup')).toEqual({ version: 1, cpu: `/sys/fs/cgroup/cpuacct/docker/${ID}`, memory: `/sys/fs/cgroup/memory/docker/${ID}`, blkio: `/sys/fs/cgroup/blkio/docker/${ID}` });
    expect(cgroupPaths(`0::/system.slice/docker-${ID}.scope\n`, ID, '/sys/fs/cgroup')).toMatchObject({ version: 2, cpu: `/sys/fs/cgroup/system.slice/docker-${ID}.scope` });
    // A pid that is another process's (another pid namespace, a reused pid): not read.
    expect(cgroupPaths(V1.replaceAll(ID, 'f'.repeat(64)), ID)).toBeUndefined();
    expect(cgroupPaths('0::/user.slice/session-1.scope\n', ID)).toBeUndefined();
    expect(cgroupPaths('', ID)).toBeUndefined();
  });

  it('reads the files as the engine reports them: block I/O by op, network without loopback, the machine\'s CPU time', () => {
    expect(blockIo('8:0 Read 4096\n8:0 Write 8192\n8:0 Total 12288\n', 1)).toEqual([{ op: 'Read', value: 4096 }, { op: 'Write', value: 8192 }]);
    expect(blockIo('8:0 rbytes=4096 wbytes=8192 rios=1\n', 2)).toEqual([{ op: 'Read', value: 4096 }, { op: 'Write', value: 8192 }]);
    expect(netDev(NET_DEV)).toEqual({ eth0: { rx_bytes: 400, tx_bytes: 250 }, eth1: { rx_bytes: 100, tx_bytes: 50 } });
    // user nice system idle iowait irq softirq (steal and guests left out, as the engine does), in ns at 100 ticks a second.
    expect(systemCpu(PROC_STAT).systemNs).toBe(1165 * 1e7);
  });

  for (const version of [1, 2] as const) {
    it(`gives the figures the Engine API would (cgroup v${version})`, async () => {
      const { root, proc } = tree(version);
      const reader = new CgroupStats(async () => 4242, root, proc);
      const raw = (await reader.read(ID))!;
      const { point } = pointOf(raw, 1000);
      expect(point).toMatchObject({ cpuSeconds: 2.5, memoryBytes: 40_000_000, netRxBytes: 500, netTxBytes: 300, blockReadBytes: 4196, blockWriteBytes: 8192 });
      // No limit (v1's huge number) is the machine's memory; v2's limit as it is.
      expect(point.memoryLimitBytes).toBe(version === 1 ? os.totalmem() : 268435456);
      expect(raw.cpu_stats?.online_cpus).toBe(os.cpus().length);
    });
  }

  it('says it cannot, rather than reading another process, when the pid went to someone else or the files went away', async () => {
    const { root, proc } = tree(1);
    const reader = new CgroupStats(async () => 4242, root, proc);
    expect(await reader.read(ID)).toBeDefined();
    fs.writeFileSync(path.join(proc, '4242', 'cgroup'), '0::/user.slice/other.scope\n');
    expect(await reader.read(ID)).toBeUndefined();
    expect(await new CgroupStats(async () => undefined, root, proc).read(ID)).toBeUndefined(); // no pid: not running
    fs.rmSync(path.join(root, 'memory'), { recursive: true });
    fs.writeFileSync(path.join(proc, '4242', 'cgroup'), V1);
    expect(await reader.read(ID)).toBeUndefined();
  });
});
