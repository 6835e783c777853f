// The Logs view's controls: which services, the text or /regex/ filter, the level, the window
// (last N lines or since start), timestamps, wrap, raw, the field filter, pause and download.
import { LEVELS } from '../../lib/logtext';

export interface LogToolbarProps {
  params: Record<string, string>;
  setParams: (p: Record<string, string>) => void;
  all: string[];
  chosen: string[];
  colourOf: (service: string) => string | undefined;
  paused: boolean;
  setPaused: (p: boolean) => void;
  onDownload: () => void;
  shownCount: number;
  total: number;
}

export function LogToolbar({ params, setParams, all, chosen, colourOf, paused, setPaused, onDownload, shownCount, total }: LogToolbarProps) {
  const since = params.since ?? '';
  const tail = since ? 'since' : (params.tail ?? '1000');
  const showTime = params.time !== 'off';
  const wrap = params.wrap === '1';
  const raw = params.raw === '1';
  const field = params.field ?? '';
  const set = (k: string, v: string) => setParams({ ...params, [k]: v });
  const toggleService = (s: string) => {
    const next = chosen.includes(s) ? chosen.filter((x) => x !== s) : [...chosen, s];
    set('services', next.join(','));
  };
  return (
    <div className="toolbar wrap">
      <fieldset className="services-pick" aria-label="Services">
        {all.map((s) => (
          <label key={s} style={{ color: colourOf(s) }}>
            <input type="checkbox" checked={chosen.length === 0 || chosen.includes(s)} onChange={() => toggleService(s)} /> {s}
          </label>
        ))}
      </fieldset>
      <input type="search" aria-label="Filter lines" placeholder="Filter: text or /regex/" value={params.q ?? ''} onChange={(e) => set('q', e.target.value)} />
      <select aria-label="Level" value={params.level ?? ''} onChange={(e) => set('level', e.target.value)}>
        <option value="">all levels</option>
        {LEVELS.map((l) => <option key={l} value={l}>{l}</option>)}
      </select>
      <select aria-label="Window" value={tail} onChange={(e) => setParams({ ...params, tail: e.target.value, since: '' })}>
        {since && <option value="since">since {new Date(since).toLocaleTimeString()}</option>}
        <option value="200">last 200</option><option value="1000">last 1000</option><option value="10000">last 10000</option><option value="start">since start</option>
      </select>
      <label><input type="checkbox" checked={showTime} onChange={() => set('time', showTime ? 'off' : '')} /> timestamps</label>
      <label><input type="checkbox" checked={wrap} onChange={() => set('wrap', wrap ? '' : '1')} /> wrap</label>
      <label><input type="checkbox" checked={raw} onChange={() => set('raw', raw ? '' : '1')} /> raw</label>
      {field && <button type="button" className="chip" aria-label={`clear the filter ${field}`} onClick={() => set('field', '')}>{field} ×</button>}
      <button type="button" aria-pressed={paused} onClick={() => setPaused(!paused)}>{paused ? 'Follow' : 'Pause'}</button>
      <button type="button" onClick={onDownload} disabled={!shownCount}>Download</button>
      <span className="muted" aria-label="line count">{shownCount.toLocaleString('en')} of {total.toLocaleString('en')} lines</span>
    </div>
  );
}
