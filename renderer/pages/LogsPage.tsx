// The Logs view: the services' lines merged (or a chosen few), a colour per service, timestamps
// on or off, follow and pause, a text or /regex/ filter with the matches highlighted, a level
// filter, the last N lines or everything since the containers started, download what is shown.
// The list is virtualized (only the visible rows are in the DOM) and keeps at most 100k lines.
import { useEffect, useMemo, useRef, useState } from 'react';
import type { LogLine } from '../../main/contract';
import { asClientError, type ClientError } from '../client/client';
import type { PageProps } from '../pages';
import { useClient, useSnapshot } from '../state/app';
import { ansiSegments, highlight, insertByTime, LEVELS, levelOf, parseFilter, structured, type Level, type Structured } from '../lib/logtext';

const MAX_LINES = 100_000;
const ROW = 18;
/** A colour per service, from the theme (styles.css --svc-*: readable on its background, light or dark). */
const COLOURS = ['var(--svc-0)', 'var(--svc-1)', 'var(--svc-2)', 'var(--svc-3)', 'var(--svc-4)', 'var(--svc-5)'];

interface Row extends LogLine { level?: Level; n: number; parsed?: Structured }

/** Rows drawn without virtualization when lines wrap (their heights vary): the newest this many. */
const WRAPPED_MAX = 2000;

export function LogsPage({ params, setParams }: PageProps) {
  const client = useClient();
  const { snap } = useSnapshot();
  const services = snap?.services.filter((x) => x.state !== 'missing').map((x) => x.service).join(',') ?? '';
  const all = useMemo(() => (services ? services.split(',') : []), [services]);
  const chosen = useMemo(() => (params.services ? params.services.split(',').filter(Boolean) : []), [params.services]);
  const since = params.since ?? '';
  const tail = since ? 'since' : (params.tail ?? '1000');
  const filterText = params.q ?? '';
  const level = (params.level ?? '') as Level | '';
  const showTime = params.time !== 'off';
  const wrap = params.wrap === '1';
  const raw = params.raw === '1';
  /** A field filter from a clicked value: `key=value`. */
  const field = params.field ?? '';
  const [open, setOpen] = useState<Row | undefined>();
  const [paused, setPaused] = useState(false);
  const [error, setError] = useState<ClientError | undefined>();
  const [version, setVersion] = useState(0);
  const rows = useRef<Row[]>([]);
  const counter = useRef(0);
  const box = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);
  const pausedRef = useRef(paused);
  pausedRef.current = paused;

  // (Re)follow whenever the chosen services or the window change.
  useEffect(() => {
    rows.current = [];
    setVersion((v) => v + 1);
    setError(undefined);
    const off = client.on('logs:lines', (lines) => {
      for (const l of lines) {
        const parsed = structured(l.text);
        insertByTime(rows.current, { ...l, level: parsed?.level ?? levelOf(l.text), n: counter.current++, ...(parsed ? { parsed } : {}) });
      }
      if (rows.current.length > MAX_LINES * 1.1) rows.current.splice(0, rows.current.length - MAX_LINES);
      setVersion((v) => v + 1);
    });
    const range = since ? { since } : tail === 'start' ? {} : { tail: Number(tail) };
    client.request('logs:follow', { ...(chosen.length ? { services: chosen } : {}), ...range })
      .catch((e: unknown) => setError(asClientError(e)));
    return () => {
      off();
      void client.request('logs:stop', {}).catch(() => undefined);
    };
  }, [client, chosen, tail, since]);

  const filter = useMemo(() => parseFilter(filterText), [filterText]);
  const shown = useMemo(
    () => {
      const eq = field.indexOf('=');
      const [fk, fv] = eq > 0 ? [field.slice(0, eq), field.slice(eq + 1)] : ['', ''];
      return rows.current.filter((r) => (!level || r.level === level) && filter.test(r.text) && (!fk || r.parsed?.fields.some(([k, v]) => k === fk && v === fv)));
    },
    [version, filter, level, field], // version counts the lines appended to rows.current
  );
  const colourOf = (service: string) => COLOURS[Math.max(0, all.indexOf(service)) % COLOURS.length];

  // Follow: stay at the bottom as lines arrive, unless paused.
  useEffect(() => {
    const el = box.current;
    if (el && !pausedRef.current) el.scrollTop = el.scrollHeight;
  }, [shown.length]);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setHeight(el.clientHeight));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const first = wrap ? Math.max(0, shown.length - WRAPPED_MAX) : Math.max(0, Math.floor(scrollTop / ROW) - 20);
  const last = wrap ? shown.length : Math.min(shown.length, Math.ceil((scrollTop + height) / ROW) + 20);
  const visible = shown.slice(first, last);
  const segments = (r: Row, text: string) => highlight(ansiSegments(text), filter.pattern).map((seg, j) => (
    seg.match
      ? <mark key={j}>{seg.text}</mark>
      : <span key={j} className={`${seg.fg ? `ansi-${seg.fg}` : ''}${seg.bold ? ' ansi-bold' : ''}`}>{seg.text}</span>
  ));
  const body = (r: Row) => (r.parsed && !raw ? (
    <>
      {r.parsed.level && <span className={`lvl ${r.parsed.level}`}>{r.parsed.level}</span>}
      <span className="msg">{segments(r, r.parsed.msg)}</span>
      {r.parsed.fields.map(([k, v]) => (
        <button key={k} type="button" className="field" title={`show only lines with ${k}=${v}`} onClick={(e) => {
          e.stopPropagation();
          setParams({ ...params, field: `${k}=${v}` });
        }}><span className="k">{k}=</span>{segments(r, v)}</button>
      ))}
    </>
  ) : segments(r, r.text));

  const download = () => {
    const text = shown.map((r) => `${showTime ? `${r.time} ` : ''}${r.task ?? r.service} ${r.text}`).join('\n');
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
    a.download = `obsdeck-logs-${new Date().toISOString().replace(/[:.]/g, '-')}.log`;
    a.click();
    URL.revokeObjectURL(a.href);
  };

  const toggleService = (s: string) => {
    const next = chosen.includes(s) ? chosen.filter((x) => x !== s) : [...chosen, s];
    setParams({ ...params, services: next.join(',') });
  };

  return (
    <section aria-label="Logs" className="logs-view">
      <div className="toolbar wrap">
        <fieldset className="services-pick" aria-label="Services">
          {all.map((s) => (
            <label key={s} style={{ color: colourOf(s) }}>
              <input type="checkbox" checked={chosen.length === 0 || chosen.includes(s)} onChange={() => toggleService(s)} /> {s}
            </label>
          ))}
        </fieldset>
        <input type="search" aria-label="Filter lines" placeholder="Filter: text or /regex/" value={filterText} onChange={(e) => setParams({ ...params, q: e.target.value })} />
        <select aria-label="Level" value={level} onChange={(e) => setParams({ ...params, level: e.target.value })}>
          <option value="">all levels</option>
          {LEVELS.map((l) => <option key={l} value={l}>{l}</option>)}
        </select>
        <select aria-label="Window" value={tail} onChange={(e) => setParams({ ...params, tail: e.target.value, since: '' })}>
          {since && <option value="since">since {new Date(since).toLocaleTimeString()}</option>}
          <option value="200">last 200</option><option value="1000">last 1000</option><option value="10000">last 10000</option><option value="start">since start</option>
        </select>
        <label><input type="checkbox" checked={showTime} onChange={() => setParams({ ...params, time: showTime ? 'off' : '' })} /> timestamps</label>
        <label><input type="checkbox" checked={wrap} onChange={() => setParams({ ...params, wrap: wrap ? '' : '1' })} /> wrap</label>
        <label><input type="checkbox" checked={raw} onChange={() => setParams({ ...params, raw: raw ? '' : '1' })} /> raw</label>
        {field && <button type="button" className="chip" aria-label={`clear the filter ${field}`} onClick={() => setParams({ ...params, field: '' })}>{field} ×</button>}
        <button type="button" aria-pressed={paused} onClick={() => setPaused(!paused)}>{paused ? 'Follow' : 'Pause'}</button>
        <button type="button" onClick={download} disabled={!shown.length}>Download</button>
        <span className="muted" aria-label="line count">{shown.length.toLocaleString('en')} of {rows.current.length.toLocaleString('en')} lines</span>
      </div>
      {filter.error && <p role="alert" className="bad">The filter is not a valid regex: {filter.error}</p>}
      {error && (
        <div role="alert" className="card callout" data-code={error.code}>
          <p className="bad">Could not follow the logs</p>
          <p>{error.message}</p>
        </div>
      )}
      {open && (
        <section className="card whole-line" aria-label="Whole line">
          <h2>{open.service} <span className="muted">{open.time}</span> <button type="button" onClick={() => setOpen(undefined)}>Close</button></h2>
          <pre className="logs">{open.text}</pre>
          {open.parsed && <dl className="fields">{open.parsed.fields.map(([k, v]) => <div key={k}><dt>{k}</dt><dd>{v}</dd></div>)}</dl>}
        </section>
      )}
      <div
        ref={box}
        className="log-box"
        role="log"
        aria-label="log lines"
        tabIndex={0}
        onScroll={(e) => {
          const el = e.currentTarget;
          setScrollTop(el.scrollTop);
          const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < ROW * 2;
          if (!atBottom && !paused) setPaused(true);
        }}
      >
        <div style={wrap ? {} : { height: shown.length * ROW, position: 'relative' }}>
          {wrap && first > 0 && <p className="muted">{first.toLocaleString('en')} earlier lines are not drawn while lines wrap; narrow the filter or turn wrap off to scroll them.</p>}
          {visible.map((r, i) => (
            <div
              key={r.n}
              className={`log-row ${r.stream} ${r.level ?? ''}${wrap ? ' wrapped' : ''}`}
              style={wrap ? {} : { top: (first + i) * ROW }}
              title={r.text}
              tabIndex={0}
              onClick={() => setOpen(r)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' && e.target === e.currentTarget) setOpen(r);
              }}
            >
              {showTime && <span className="time">{r.time.slice(11, 23)}</span>}
              <span className="svc" style={{ color: colourOf(r.service) }}>{r.task ?? r.service}</span>
              <span className="text">{body(r)}</span>
            </div>
          ))}
        </div>
        {!shown.length && !error && <p className="muted empty">{rows.current.length ? 'No line matches.' : 'No lines yet.'}</p>}
      </div>
    </section>
  );
}
