// The Images panel of the Stack view: the image each service will run, whether the engine has
// it, where it came from and its size; Pull with a bar per layer (one total bar when the window
// is narrow), a service's image chosen here (kept in the app's settings), and Export / Import
// of the stack's images as one tarball for a laptop without a registry.
import { useEffect, useState } from 'react';
import type { ImageInfo, PullProgress } from '../../main/contract';
import { useAction, useRequest } from '../client/useRequest';
import { formatBytes as bytes } from '../lib/format';
import { useClient } from '../state/app';

const ORIGIN: Record<ImageInfo['origin'], string> = {
  upstream: 'upstream',
  'stand-in': 'stand-in (built here)',
  imported: 'imported',
  built: 'built from the stack',
};

function total(p: PullProgress): { current: number; total: number } {
  return p.layers.reduce((t, l) => ({ current: t.current + (l.current ?? 0), total: t.total + (l.total ?? 0) }), { current: 0, total: 0 });
}

function Pull({ p }: { p: PullProgress }) {
  const sum = total(p);
  return (
    <div className="pull" aria-label={`pull of ${p.image}`}>
      {p.error && <p className="bad" role="alert">Pull failed: {p.error}</p>}
      {!p.error && <p className="muted">{p.done ? `Pulled ${p.image}` : `Pulling ${p.image}…`}</p>}
      <ul className="layers" aria-label="layers">
        {p.layers.map((l) => (
          <li key={l.id}>
            <code>{l.id}</code>{' '}
            <progress aria-label={`layer ${l.id}`} max={l.total ?? 1} value={l.total ? l.current : /complete|exists/i.test(l.status) ? 1 : undefined} />{' '}
            <span className="muted">{l.status}{l.total ? ` ${bytes(l.current ?? 0)} / ${bytes(l.total)}` : ''}</span>
          </li>
        ))}
      </ul>
      <div className="pull-total">
        <progress aria-label={`pull of ${p.image}, all layers`} max={sum.total || 1} value={p.done && !p.error ? sum.total || 1 : sum.current} />{' '}
        <span className="muted">{p.layers.length} layers{sum.total ? `, ${bytes(sum.current)} / ${bytes(sum.total)}` : ''}</span>
      </div>
    </div>
  );
}

interface ImageRowProps {
  i: ImageInfo;
  editing: { service: string; image: string } | undefined;
  setEditing: (e: { service: string; image: string } | undefined) => void;
  /** Another image action runs; `busy`: the stack is busy. */
  acting: boolean;
  busy: boolean;
  pulling: boolean;
  onPull: () => void;
  onChoose: (image: string | null) => void;
}

/** One service's image: what it is and where it came from; Pull, Change (an inline form), Reset. */
function ImageRow({ i, editing, setEditing, acting, busy, pulling, onPull, onChoose }: ImageRowProps) {
  return (
    <tr aria-label={`image of ${i.service}`} data-on-engine={String(i.onEngine)}>
      <td>{i.service}</td>
      <td>
        {editing?.service === i.service ? (
          <form className="choose" onSubmit={(e) => {
            e.preventDefault();
            const image = editing.image.trim();
            setEditing(undefined);
            onChoose(image || null);
          }}>
            <input aria-label={`image for ${i.service}`} value={editing.image} onChange={(e) => setEditing({ service: i.service, image: e.target.value })} spellCheck={false} />
            <button type="submit">Use</button>
            <button type="button" onClick={() => setEditing(undefined)}>Cancel</button>
          </form>
        ) : (
          <>
            <code>{i.image}</code>
            {i.chosenOver && <div className="muted">chosen here over <code>{i.chosenOver}</code></div>}
            {i.standInFor && <div className="muted">offline: stand-in for <code>{i.standInFor}</code></div>}
          </>
        )}
      </td>
      <td className={i.onEngine ? 'good' : 'bad'}>{i.onEngine ? 'yes' : 'no'}</td>
      <td>{ORIGIN[i.origin]}</td>
      <td>{i.size !== undefined ? bytes(i.size) : '—'}</td>
      <td className="actions">
        <button type="button" disabled={acting || pulling} onClick={onPull} aria-label={`Pull the image of ${i.service}`}>
          {pulling ? 'Pulling…' : 'Pull'}
        </button>
        <button type="button" disabled={busy} onClick={() => setEditing({ service: i.service, image: i.image })} aria-label={`Change the image of ${i.service}`}>Change</button>
        {i.chosenOver && <button type="button" disabled={busy} onClick={() => onChoose(null)} aria-label={`Reset the image of ${i.service} to the compose file's`}>Reset</button>}
      </td>
    </tr>
  );
}

export function ImagesPanel({ engineUp, busy }: { engineUp: boolean; busy: boolean }) {
  const client = useClient();
  const listed = useRequest('images:list', engineUp ? {} : undefined);
  const [images, setImages] = useState<ImageInfo[] | undefined>();
  const [pulls, setPulls] = useState<Record<string, PullProgress>>({});
  const [editing, setEditing] = useState<{ service: string; image: string } | undefined>();
  const [exportTo, setExportTo] = useState('');
  const [importFrom, setImportFrom] = useState('');
  const [done, setDone] = useState<string | undefined>();
  const action = useAction();

  useEffect(() => {
    if (listed.data) {
      setImages(listed.data.images);
      setExportTo((v) => v || listed.data!.exportTo);
    }
  }, [listed.data]);
  useEffect(() => client.on('images:pull', (p) => setPulls((all) => ({ ...all, [p.service]: p }))), [client]);

  const [skipped, setSkipped] = useState<{ file: string; tags: string[] } | undefined>();
  const importTarball = (also?: string[]) => {
    const file = importFrom;
    setSkipped(undefined);
    act('import', async () => {
      const r = await client.request('images:import', { file, ...(also ? { also } : {}) });
      setSkipped(r.skipped.length ? { file, tags: r.skipped } : undefined);
      return r;
    }, (r) => `Imported ${file}: ${r.loaded.join(', ') || 'nothing of the stack'}`);
  };
  const act = <R extends { images: ImageInfo[] }>(name: string, work: () => Promise<R | undefined>, said?: (r: R) => string) => {
    setDone(undefined);
    void action.run(name, work).then((r) => {
      if (!r) return;
      setImages(r.images);
      if (said) setDone(said(r));
    });
  };

  return (
    <section className="card images" aria-label="Images">
      <h2>Images</h2>
      {!engineUp && <p className="muted">The images show once a Docker engine answers.</p>}
      {images && (
        <table className="result" aria-label="Images of the stack">
          <thead><tr><th>Service</th><th>Image</th><th>On the engine</th><th>Origin</th><th>Size</th><th><span className="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {images.map((i) => (
              <ImageRow key={i.service} i={i} editing={editing} setEditing={setEditing} acting={action.busy !== undefined} busy={busy} pulling={!!pulls[i.service] && !pulls[i.service]!.done}
                onPull={() => act(`pull ${i.service}`, () => client.request('images:pull', { service: i.service }))}
                onChoose={(image) => act('choose', () => client.request('images:choose', { service: i.service, image }))} />
            ))}
          </tbody>
        </table>
      )}
      {Object.values(pulls).map((p) => <Pull key={p.service} p={p} />)}
      {engineUp && (
        <div className="transfer">
          <form onSubmit={(e) => {
            e.preventDefault();
            setDone(undefined);
            void action.run('export', () => client.request('images:export', { file: exportTo })).then((r) => {
              if (r) setDone(`Wrote ${r.images.length} images (${bytes(r.bytes)}) to ${r.file}${r.missing.length ? `; not on the engine, so not in it: ${r.missing.join(', ')}` : ''}`);
            });
          }}>
            <label>Export the stack's images to <input aria-label="Export to file" value={exportTo} onChange={(e) => setExportTo(e.target.value)} spellCheck={false} /></label>{' '}
            <button type="submit" disabled={action.busy !== undefined || !exportTo}>{action.busy === 'export' ? 'Exporting…' : 'Export'}</button>
          </form>
          <form onSubmit={(e) => {
            e.preventDefault();
            importTarball();
          }}>
            <label>Import a tarball from <input aria-label="Import from file" value={importFrom} placeholder="/path/to/obsdeck-images.tar" onChange={(e) => setImportFrom(e.target.value)} spellCheck={false} /></label>{' '}
            <button type="submit" disabled={action.busy !== undefined || busy || !importFrom}>{action.busy === 'import' ? 'Importing…' : 'Import'}</button>
          </form>
          {skipped && skipped.tags.length > 0 && (
            <div role="status" className="warn" aria-label="Tags not loaded">
              <p>Not loaded from {skipped.file}: {skipped.tags.join(', ')}. They are none of the stack&apos;s images; loading them re-points those tags for everything on this engine.</p>
              <button type="button" disabled={action.busy !== undefined} onClick={() => importTarball(skipped.tags)}>Load them too</button>
            </div>
          )}
          <p className="muted">Paths are on the machine running Obsdeck. A tarball made here sets up a laptop without a registry: Import it there.</p>
        </div>
      )}
      {done && <p role="status" className="good">{done}</p>}
      {(action.error ?? listed.error) && <p role="alert" className="bad">{(action.error ?? listed.error)!.message}</p>}
    </section>
  );
}
