// The app shell: header, connection state, and the Stack view.
import { useEffect, useMemo, useState } from 'react';
import { webSocketClient } from './client';
import { StackView } from './StackView';

export function App() {
  const client = useMemo(() => webSocketClient(), []);
  const [connected, setConnected] = useState(true);
  useEffect(() => client.onConnection(setConnected), [client]);

  return (
    <div className="app">
      <header className="top">
        <h1>Obsdeck</h1>
        <span className="subtitle">POC3 Security observability stack</span>
        {!connected && <span role="status" className="bad">Reconnecting to Obsdeck…</span>}
      </header>
      <main>
        <StackView client={client} />
      </main>
    </div>
  );
}
