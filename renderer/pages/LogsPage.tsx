// The Logs view: the services' lines merged (or a chosen few), a colour per service, timestamps
// on or off, follow and pause, a text or /regex/ filter with the matches highlighted, a level
// filter, the last N lines or everything since the containers started, download what is shown.
// The follow (logs/useLogFollow), the controls (logs/LogToolbar) and the virtualized list
// (logs/LogList) live beside it; it keeps at most 100k lines.
import { useMemo, useState } from 'react';
import type { PageProps } from '../lib/route';
import { useSnapshot } from '../state/app';
import { details, parseFilter, type Level } from '../lib/logtext';
import { LogList } from './logs/LogList';
import { LogToolbar } from './logs/LogToolbar';
import { useLogFollow, type Row } from './logs/useLogFollow';

/** A colour per service, from the theme (styles.css --svc-*: readable on its background, light or dark). */
const COLOURS = ['var(--svc-0)', 'var(--svc-1)', 'var(--svc-2)', 'var(--svc-3)', 'var(--svc-4)', 'var(--svc-5)'];

function download(shown: Row[], showTime: boolean): void {
  const text = shown.map((r) => `${showTime ? `${r.time} ` : ''}${r.task ?? r.service} ${r.text}`).join('\n');
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
  a.download = `obsdeck-logs-${new Date().toISOString().replace(/[:.]/g, '-')}.log`;
  a.click();
  URL.revokeObjectURL(a.href);
}

export function LogsPage({ params, setParams }: PageProps) {
  const { snap } = useSnapshot();
  const services = snap?.services.filter((x) => x.state !== 'missing').map((x) => x.service).join(',') ?? '';
  const all = useMemo(() => (services ? services.split(',') : []), [services]);
  const chosen = useMemo(() => (params.services ? params.services.split(',').filter(Boolean) : []), [params.services]);
  const since = params.since ?? '';
  const tail = since ? 'since' : (params.tail ?? '1000');
  const level = (params.level ?? '') as Level | '';
  const showTime = params.time !== 'off';
  /** A field filter from a clicked value: `key=value`. */
  const field = params.field ?? '';
  const [open, setOpen] = useState<Row | undefined>();
  const [paused, setPaused] = useState(false);
  const { rows, version, error } = useLogFollow(chosen, { tail, since });

  const filter = useMemo(() => parseFilter(params.q ?? ''), [params.q]);
  const shown = useMemo(
    () => {
      const eq = field.indexOf('=');
      const [fk, fv] = eq > 0 ? [field.slice(0, eq), field.slice(eq + 1)] : ['', ''];
      return rows.filter((r) => (!level || details(r).level === level) && filter.test(r.text) && (!fk || details(r).parsed?.fields.some(([k, v]) => k === fk && v === fv)));
    },
    [rows, version, filter, level, field], // version counts the lines appended to rows
  );
  const colourOf = (service: string) => COLOURS[Math.max(0, all.indexOf(service)) % COLOURS.length];

  return (
    <section aria-label="Logs" className="logs-view">
      <LogToolbar params={params} setParams={setParams} all={all} chosen={chosen} colourOf={colourOf} paused={paused} setPaused={setPaused}
        onDownload={() => download(shown, showTime)} shownCount={shown.length} total={rows.length} />
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
          {details(open).parsed?.fields.length ? <dl className="fields">{details(open).parsed?.fields.map(([k, v]) => <div key={k}><dt>{k}</dt><dd>{v}</dd></div>)}</dl> : null}
        </section>
      )}
      <LogList shown={shown} total={rows.length} wrap={params.wrap === '1'} showTime={showTime} raw={params.raw === '1'} pattern={filter.pattern}
        colourOf={colourOf} paused={paused} setPaused={setPaused} onOpen={setOpen} onField={(kv) => setParams({ ...params, field: kv })} failed={error !== undefined} />
    </section>
  );
}
