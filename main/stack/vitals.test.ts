import { describe, expect, it } from 'vitest';
import { exposition, pointOf, VitalsKeeper, workingSet, type RawStats } from './vitals.js';

// Trimmed answers of GET /containers/{id}/stats?stream=false&one-shot=true (API 1.41).
const v2 = (cpuNs: number, systemNs: number): RawStats => ({
  cpu_stats: { cpu_usage: { total_usage: cpuNs }, system_cpu_usage: systemNs, online_cpus: 2 },
  memory_stats: { usage: 50_000_000, limit: 8_000_000_000, stats: { inactive_file: 10_000_000, active_file: 5_000_000 } },
  networks: { eth0: { rx_bytes: 1000, tx_bytes: 2000 }, eth1: { rx_bytes: 10, tx_bytes: 20 } },
  blkio_stats: { io_service_bytes_recursive: [{ op: 'read', value: 4096 }, { op: 'write', value: 8192 }, { op: 'Read', value: 4 }] },
});

describe('a service\'s vitals', () => {
  it('count memory as docker stats does: usage less inactive file pages (cgroup v2 and v1)', () => {
    expect(workingSet(v2(0, 0).memory_stats)).toBe(40_000_000);
    expect(workingSet({ usage: 30, stats: { total_inactive_file: 10 } })).toBe(20);
    // cgroup v1 lists both: the hierarchy's total is the one that matches usage (the docker CLI's choice).
    expect(workingSet({ usage: 30, stats: { inactive_file: 1, total_inactive_file: 10 } })).toBe(20);
    expect(workingSet({ usage: 30, stats: { inactive_file: 99 } })).toBe(30);
    expect(workingSet(undefined)).toBe(0);
  });

  it('take CPU % from two reads, as docker stats does (100 % is one core), and sum network and block I/O', () => {
    const first = pointOf(v2(1e9, 100e9), 1000);
    expect(first.point.cpuPercent).toBeUndefined();
    // 0.5 s of CPU over 2 s of the host's 2 CPUs (4e9 ns of system time): 25 % of one core × 2 CPUs.
    const second = pointOf(v2(1.5e9, 104e9), 3000, first.counters);
    expect(second.point.cpuPercent).toBeCloseTo(25);
    expect(second.point).toMatchObject({ at: 3000, cpuSeconds: 1.5, memoryBytes: 40_000_000, memoryLimitBytes: 8_000_000_000, netRxBytes: 1010, netTxBytes: 2020, blockReadBytes: 4100, blockWriteBytes: 8192 });
    // A restarted container's counters went back: no figure rather than a negative one.
    expect(pointOf(v2(0.1e9, 105e9), 4000, second.counters).point.cpuPercent).toBeUndefined();
  });

  it('keeps 15 minutes per service, drops what stopped, and reads each container once per round', async () => {
    let running = new Map([['api', 'a1'], ['prometheus', 'p1']]);
    let reads = 0;
    let cpu = 0;
    const docker = { getContainer: (id: string) => ({ stats: async () => { reads++; cpu += 1e9; return { ...v2(cpu, cpu * 10), id }; } }) };
    const seen: string[][] = [];
    const keeper = new VitalsKeeper({ docker: () => docker as never, running: async () => running, sampled: (p) => seen.push(Object.keys(p).sort()) }, 5000);
    const t0 = 1_000_000;
    await keeper.sample(t0);
    await keeper.sample(t0 + 5000);
    expect(reads).toBe(4);
    expect(seen).toEqual([['api', 'prometheus'], ['api', 'prometheus']]);
    running = new Map([['api', 'a1']]);
    await keeper.sample(t0 + 16 * 60_000);
    const state = keeper.state();
    expect(state.services.api!.map((p) => p.at)).toEqual([t0 + 16 * 60_000]);
    expect(state.services.prometheus!.map((p) => p.at)).toEqual([t0, t0 + 5000]); // kept as it was when it stopped
    expect(state.intervalMs).toBe(5000);
  });

  it('serve the last round to Prometheus as cAdvisor names it, and nothing for a service that stopped', async () => {
    let running = new Map([['api_poc3', 'a1'], ['prometheus', 'p1']]);
    let cpu = 0;
    const docker = { getContainer: () => ({ stats: async () => { cpu += 2e9; return v2(cpu, cpu * 10); } }) };
    const keeper = new VitalsKeeper({ docker: () => docker as never, running: async () => running, sampled: () => undefined }, 5000);
    expect(keeper.metrics()).not.toMatch(/^container_/m); // before the first round: the HELP lines only
    await keeper.sample(1000);
    const text = keeper.metrics();
    expect(text).toContain('# TYPE container_cpu_usage_seconds_total counter\n');
    expect(text).toContain('# TYPE container_memory_working_set_bytes gauge\n');
    expect(text).toMatch(/^container_cpu_usage_seconds_total\{service="api_poc3"\} [\d.]+$/m);
    expect(text).toContain('container_memory_working_set_bytes{service="prometheus"} 40000000\n');
    for (const name of ['container_spec_memory_limit_bytes', 'container_network_receive_bytes_total', 'container_network_transmit_bytes_total', 'container_fs_reads_bytes_total', 'container_fs_writes_bytes_total']) {
      expect(text).toMatch(new RegExp(`^${name}\\{service="prometheus"\\} \\d+$`, 'm'));
    }
    running = new Map([['api_poc3', 'a1']]);
    await keeper.sample(6000);
    expect(keeper.metrics()).not.toContain('service="prometheus"');
    expect(keeper.metrics()).toContain('service="api_poc3"');
  });

  it('label a Swarm task by its service and slot', () => {
    const p = pointOf(v2(1e9, 10e9), 0).point;
    const text = exposition({ 'api_poc3/1': p, 'api_poc3/2': p, prometheus: p });
    expect(text).toContain('container_cpu_usage_seconds_total{service="api_poc3",task="1"} 1\n');
    expect(text).toContain('container_cpu_usage_seconds_total{service="api_poc3",task="2"} 1\n');
    expect(text).toContain('container_cpu_usage_seconds_total{service="prometheus"} 1\n');
  });

  it('escape a label value as the text format wants it', () => {
    const p = pointOf(v2(1e9, 10e9), 0).point;
    expect(exposition({ 'a"b\\c\nd': p })).toContain('container_cpu_usage_seconds_total{service="a\\"b\\\\c\\nd"} 1\n');
  });
});
