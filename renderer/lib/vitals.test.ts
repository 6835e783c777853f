import { describe, expect, it } from 'vitest';
import type { VitalsPoint } from '../../main/contract';
import { serviceVitals } from './vitals';

const point = (at: number, cpuPercent: number | undefined, memoryBytes: number): VitalsPoint => ({
  at, ...(cpuPercent !== undefined ? { cpuPercent } : {}), cpuSeconds: 1, memoryBytes, memoryLimitBytes: 100, netRxBytes: 10, netTxBytes: 20, blockReadBytes: 0, blockWriteBytes: 0,
});

describe('a service\'s vitals on its card', () => {
  it('are its container\'s, or on Swarm the sum of its tasks here, round by round', () => {
    const services = {
      prometheus: [point(1, 2, 50)],
      'api_poc3/1': [point(1, undefined, 10), point(2, 1.5, 11), point(3, 2, 12)],
      'api_poc3/2': [point(2, 0.5, 20), point(3, 1, 21)],
      'api_poc3_extra': [point(2, 9, 999)], // another service whose name begins the same: not a task
    };
    expect(serviceVitals(services, 'prometheus')).toEqual({ points: [point(1, 2, 50)], tasks: 0 });
    const api = serviceVitals(services, 'api_poc3')!;
    expect(api.tasks).toBe(2);
    // Round 1 had one task only (the second started later): left out rather than a dip.
    // No memory limit for the sum: 5 tasks without one would read "of 5 × the machine's memory".
    expect(api.points.map((p) => [p.at, p.cpuPercent, p.memoryBytes, p.netRxBytes, p.memoryLimitBytes])).toEqual([[2, 2, 31, 20, 0], [3, 3, 33, 20, 0]]);
    expect(serviceVitals(services, 'alertmanager')).toBeUndefined();
  });
});
