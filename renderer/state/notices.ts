// What Alertmanager's webhook has told the app, once for the whole app: the alerts firing now,
// and the ones that just ended (shown a moment).
// Fed by `alerts:notice` events; the notices banner, the title and the Alerts page read it.
import type { AlertNotice, ContractClient } from '../../main/contract';
import { createStore, type Store } from './store';

const ENDED_SHOWN_MS = 10_000;

export interface NoticesStoreState { firing: AlertNotice[]; ended: AlertNotice[] }

export function noticesStore(client: ContractClient): Store<NoticesStoreState> {
  const store = createStore<NoticesStoreState>({ firing: [], ended: [] });
  client.request('alerts:notices', {}).then(
    (s) => store.set((st) => ({ ...st, firing: s.firing })),
    () => undefined,
  );
  client.on('alerts:notice', (n) => {
    if (n.status === 'firing') {
      store.set((st) => ({ ...st, firing: [...st.firing.filter((x) => x.fingerprint !== n.fingerprint), n] }));
      return;
    }
    store.set((st) => ({ ...st, firing: st.firing.filter((x) => x.fingerprint !== n.fingerprint), ended: [n, ...st.ended.filter((x) => x.fingerprint !== n.fingerprint)].slice(0, 5) }));
    setTimeout(() => store.set((st) => ({ ...st, ended: st.ended.filter((x) => x !== n) })), ENDED_SHOWN_MS);
  });
  return store;
}
