// The app shell: header, and the Docker engine's status (what it is, or what to do when none answers).
import { useEffect, useState } from 'react';

type EngineStatus =
  | { reachable: true; endpoint: string; version: string; apiVersion: string; os: string; arch: string }
  | { reachable: false; tried: { endpoint: string; error: string }[]; hint: string };

export function App() {
  const [engine, setEngine] = useState<EngineStatus | undefined>();
  const [error, setError] = useState<string | undefined>();

  useEffect(() => {
    let stop = false;
    const load = async () => {
      try {
        const res = await fetch('/api/engine', { cache: 'no-store' });
        if (!res.ok) throw new Error(`the app answered ${res.status}: ${await res.text()}`);
        if (!stop) {
          setEngine((await res.json()) as EngineStatus);
          setError(undefined);
        }
      } catch (err) {
        if (!stop) setError(err instanceof Error ? err.message : String(err));
      }
    };
    void load();
    const timer = setInterval(() => void load(), 5000);
    return () => {
      stop = true;
      clearInterval(timer);
    };
  }, []);

  return (
    <div className="app">
      <header>
        <h1>Obsdeck</h1>
        <span className="subtitle">POC3 Security observability stack</span>
      </header>
      <main>
        <section className="card" aria-label="Docker engine">
          <h2>Docker engine</h2>
          {error && <p role="alert" className="bad">{error}</p>}
          {!engine && !error && <p>Looking for a Docker engine…</p>}
          {engine?.reachable === true && (
            <p className="good">
              Docker {engine.version} (API {engine.apiVersion}, {engine.os}/{engine.arch}) at <code>{engine.endpoint}</code>
            </p>
          )}
          {engine?.reachable === false && (
            <div role="alert">
              <p className="bad">No Docker engine is reachable.</p>
              <p>{engine.hint}</p>
              <ul>
                {engine.tried.map((t) => (
                  <li key={t.endpoint}>
                    <code>{t.endpoint}</code>: {t.error}
                  </li>
                ))}
              </ul>
            </div>
          )}
        </section>
      </main>
    </div>
  );
}
