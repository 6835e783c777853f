// The app's shared state, made once in App and read anywhere below it: the contract client, the
// live stack snapshot, the alert notices and the services' vitals.
import { createContext, useContext, type ReactNode } from 'react';
import type { ContractClient } from '../../main/contract';
import { noticesStore, type NoticesStoreState } from './notices';
import { snapshotStore, type SnapshotState } from './snapshot';
import { useStore, type Store } from './store';
import { vitalsStore, type VitalsStoreState } from './vitals';

export type AppClient = ContractClient & { onConnection(l: (up: boolean, why?: string) => void): () => void };
export interface AppState { client: AppClient; snapshot: Store<SnapshotState>; notices: Store<NoticesStoreState>; vitals: Store<VitalsStoreState> }

const Context = createContext<AppState | undefined>(undefined);

export function createAppState(client: AppClient): AppState {
  return { client, snapshot: snapshotStore(client), notices: noticesStore(client), vitals: vitalsStore(client) };
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
export const useVitals = (): VitalsStoreState => useStore(useApp().vitals);
