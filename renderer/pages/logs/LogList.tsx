// The Logs view's lines: virtualized (only the visible rows are in the DOM) unless lines wrap
// (then the newest WRAPPED_MAX are drawn); following the newest unless paused, and scrolling up
// pauses. A row opens the whole line; a structured field's value filters on it.
import { useEffect, useRef, useState } from 'react';
import { ansiSegments, details, highlight } from '../../lib/logtext';
import type { Row } from './useLogFollow';

const ROW = 18;
/** Rows drawn without virtualization when lines wrap (their heights vary): the newest this many. */
const WRAPPED_MAX = 2000;

export interface LogListProps {
  shown: Row[];
  total: number;
  wrap: boolean;
  showTime: boolean;
  raw: boolean;
  pattern: RegExp | undefined;
  colourOf: (service: string) => string | undefined;
  paused: boolean;
  setPaused: (p: boolean) => void;
  onOpen: (r: Row) => void;
  onField: (kv: string) => void;
  failed: boolean;
}

export function LogList({ shown, total, wrap, showTime, raw, pattern, colourOf, paused, setPaused, onOpen, onField, failed }: LogListProps) {
  const box = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);
  const pausedRef = useRef(paused);
  pausedRef.current = paused;

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
  const segments = (text: string) => highlight(ansiSegments(text), pattern).map((seg, j) => (
    seg.match
      ? <mark key={j}>{seg.text}</mark>
      : <span key={j} className={`${seg.fg ? `ansi-${seg.fg}` : ''}${seg.bold ? ' ansi-bold' : ''}`}>{seg.text}</span>
  ));
  const body = (r: Row, parsed = details(r).parsed) => (parsed && !raw ? (
    <>
      {parsed.level && <span className={`lvl ${parsed.level}`}>{parsed.level}</span>}
      <span className="msg">{segments(parsed.msg)}</span>
      {parsed.fields.map(([k, v]) => (
        <button key={k} type="button" className="field" title={`show only lines with ${k}=${v}`} onClick={(e) => {
          e.stopPropagation();
          onField(`${k}=${v}`);
        }}><span className="k">{k}=</span>{segments(v)}</button>
      ))}
    </>
  ) : segments(r.text));

  return (
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
        {shown.slice(first, last).map((r, i) => (
          <div
            key={r.n}
            className={`log-row ${r.stream} ${details(r).level ?? ''}${wrap ? ' wrapped' : ''}`}
            style={wrap ? {} : { top: (first + i) * ROW }}
            title={r.text}
            tabIndex={0}
            onClick={() => onOpen(r)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && e.target === e.currentTarget) onOpen(r);
            }}
          >
            {showTime && <span className="time">{r.time.slice(11, 23)}</span>}
            <span className="svc" style={{ color: colourOf(r.service) }}>{r.task ?? r.service}</span>
            <span className="text">{body(r)}</span>
          </div>
        ))}
      </div>
      {!shown.length && !failed && <p className="muted empty">{total ? 'No line matches.' : 'No lines yet.'}</p>}
    </div>
  );
}
