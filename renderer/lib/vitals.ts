// A service's vitals as its card shows them: its container's, or on Swarm the sum of its tasks
// on this engine (keys `service/slot`), sample by sample (a round samples every task at once).
import type { VitalsPoint } from '../../main/contract';

const sum = (xs: (number | undefined)[]) => (xs.some((x) => x === undefined) ? undefined : xs.reduce<number>((a, b) => a + b!, 0));

export function serviceVitals(services: Record<string, VitalsPoint[]>, name: string): { points: VitalsPoint[]; tasks: number } | undefined {
  const own = services[name];
  if (own?.length) return { points: own, tasks: 0 };
  const tasks = Object.keys(services).filter((k) => k.startsWith(`${name}/`) && services[k]!.length);
  if (!tasks.length) return undefined;
  const byTime = new Map<number, VitalsPoint[]>();
  for (const k of tasks) for (const p of services[k]!) byTime.set(p.at, [...(byTime.get(p.at) ?? []), p]);
  // Only the rounds every one of the tasks now listed was in: a sum of fewer would dip.
  const points = [...byTime].filter(([, ps]) => ps.length === tasks.length).sort(([a], [b]) => a - b).map(([at, ps]): VitalsPoint => {
    const cpuPercent = sum(ps.map((p) => p.cpuPercent));
    return {
      at, ...(cpuPercent !== undefined ? { cpuPercent } : {}), cpuSeconds: sum(ps.map((p) => p.cpuSeconds))!,
      // A sum of the tasks' limits is no limit the service has (without one, each task's is the machine's memory): none is shown.
      memoryBytes: sum(ps.map((p) => p.memoryBytes))!, memoryLimitBytes: 0,
      netRxBytes: sum(ps.map((p) => p.netRxBytes))!, netTxBytes: sum(ps.map((p) => p.netTxBytes))!,
      blockReadBytes: sum(ps.map((p) => p.blockReadBytes))!, blockWriteBytes: sum(ps.map((p) => p.blockWriteBytes))!,
    };
  });
  return points.length ? { points, tasks: tasks.length } : undefined;
}
