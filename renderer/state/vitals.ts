// Each running service's vitals, once for the whole app: the last 15 minutes the Node side kept,
// then every sample it pushes (and the history again after a reconnect).
import type { ContractClient, VitalsPoint } from '../../main/contract';
import { createStore, type Store } from './store';

export interface VitalsStoreState { intervalMs: number; services: Record<string, VitalsPoint[]> }

const KEEP_MS = 15 * 60_000;

export function vitalsStore(client: ContractClient & { onConnection(l: (up: boolean) => void): () => void }): Store<VitalsStoreState> {
  const store = createStore<VitalsStoreState>({ intervalMs: 0, services: {} });
  const load = () => client.request('vitals:history', {}).then((v) => store.set(v), () => undefined);
  client.on('vitals:sample', (points) => store.set((prev) => {
    const services = { ...prev.services };
    for (const [service, p] of Object.entries(points)) services[service] = [...(services[service] ?? []).filter((x) => x.at > p.at - KEEP_MS), p];
    return { ...prev, services };
  }));
  client.onConnection((up) => {
    if (up) void load();
  });
  void load();
  return store;
}
