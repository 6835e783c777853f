// The queries run before (kept in localStorage), each one click from running again.
import { HISTORY_KEY } from '../../lib/queryhistory';

export function QueryHistory({ history, setHistory, onPick }: { history: string[]; setHistory: (h: string[]) => void; onPick: (q: string) => void }) {
  return (
<section className="card" aria-label="Query history">
      <h2>Recent queries</h2>
      <ul className="history">
        {history.map((h) => (
          <li key={h}>
            <button type="button" className="link" onClick={() => onPick(h)}><code>{h}</code></button>
          </li>
        ))}
      </ul>
      <button type="button" onClick={() => {
        setHistory([]);
        localStorage.removeItem(HISTORY_KEY);
      }}>Clear history</button>
    </section>
  );
}
