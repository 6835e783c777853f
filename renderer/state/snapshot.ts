// The stack's live state, once for the whole app: the first snapshot, then every change the
// Node side pushes (and a fresh one after a reconnect). Pages read it; none fetch it again.
import type { ContractClient, StackSnapshot } from '../../main/contract';
import { asClientError, type ClientError } from '../client/client';
import { createStore, type Store } from './store';

export interface SnapshotState { snap: StackSnapshot | undefined; error: ClientError | undefined }

export function snapshotStore(client: ContractClient & { onConnection(l: (up: boolean) => void): () => void }): Store<SnapshotState> {
  const store = createStore<SnapshotState>({ snap: undefined, error: undefined });
  const load = () => client.request('stack:status', {}).then((snap) => store.set({ snap, error: undefined }), (e: unknown) => store.set((s) => ({ ...s, error: asClientError(e) })));
  client.on('stack:snapshot', (snap) => store.set({ snap, error: undefined }));
  client.onConnection((up) => {
    if (up) void load();
  });
  void load();
  return store;
}
