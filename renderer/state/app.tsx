// The app's shared state, made once in App and read anywhere below it: the contract client, the
// live stack snapshot and the alert notices.
import { createContext, useContext, type ReactNode } from 'react';
import type { ContractClient } from '../../main/contract';
import { noticesStore, type NoticesStoreState } from './notices';
import { snapshotStore, type SnapshotState } from './snapshot';
import { useStore, type Store } from './store';

export type AppClient = ContractClient & { onConnection(l: (up: boolean, why?: string) => void): () => void };
export interface AppState { client: AppClient; snapshot: Store<SnapshotState>; notices: Store<NoticesStoreState> }

const Context = createContext<AppState | undefined>(undefined);

export function createAppState(client: AppClient): AppState {
  return { client, snapshot: snapshotStore(client), notices: noticesStore(client) };
}

export function AppProvider({ state, children }: { state: AppState; children: ReactNode }) {
  return <Context.Provider value={state}>{children}</Context.Provider>;
}

function useApp(): AppState {
  const state = useContext(Context);
  if (!state) throw new Error('outside the app: render under <AppProvider>');
  return state;
}

export const useClient = (): AppClient => useApp().client;
export const useSnapshot = (): SnapshotState => useStore(useApp().snapshot);
export const useNotices = (): NoticesStoreState => useStore(useApp().notices);
