// Import loads the stack's images from a tarball, and no other tag unless the user confirms it:
// a crafted tarball must not silently re-point alpine:latest or another project's image.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import type Docker from 'dockerode';
import { extract, pack } from 'tar-stream';
import { afterAll, describe, expect, it } from 'vitest';
import { importImages, tarballImages } from './images.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obsdeck-import-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function tarball(name: string, files: Record<string, string>): Promise<string> {
  const p = pack();
  for (const [n, text] of Object.entries(files)) p.entry({ name: n }, text);
  p.finalize();
  const file = path.join(dir, name);
  fs.writeFileSync(file, await buffer(p));
  return file;
}

/** The files of a tar stream, by name. */
async function filesOf(stream: NodeJS.ReadableStream): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const ex = extract();
  ex.on('entry', (h, body, next) => {
    const chunks: Buffer[] = [];
    body.on('data', (c) => chunks.push(c as Buffer));
    body.on('end', () => {
      out[h.name] = Buffer.concat(chunks).toString('utf8');
      next();
    });
  });
  stream.pipe(ex);
  await new Promise<void>((r) => ex.on('finish', () => r()));
  return out;
}

/** An engine whose load records the tarball it was sent and answers as dockerd does. */
function engine(sent: Record<string, string>[]): Docker {
  const docker = {
    loadImage: async (stream: NodeJS.ReadableStream) => {
      const files = await filesOf(stream);
      sent.push(files);
      const tags = (JSON.parse(files['manifest.json']!) as { RepoTags: string[] }[]).flatMap((e) => e.RepoTags);
      const out = new PassThrough();
      out.end(tags.map((t) => JSON.stringify({ stream: `Loaded image: ${t}\n` })).join('\n'));
      return out;
    },
    getImage: () => ({ inspect: async () => ({ Id: 'sha256:x' }) }),
    modem: {
      followProgress(stream: NodeJS.ReadableStream, done: (err: Error | null, out: unknown[]) => void) {
        void buffer(stream).then((b) => done(null, b.toString().split('\n').filter(Boolean).map((l) => JSON.parse(l) as unknown)));
      },
    },
  };
  return docker as unknown as Docker;
}

const manifest = JSON.stringify([
  { Config: 'a.json', RepoTags: ['obsdeck/poc3-api:dev'], Layers: ['1/layer.tar'] },
  { Config: 'b.json', RepoTags: ['alpine:latest', 'docker:cli'], Layers: ['2/layer.tar'] },
]);
const files = { 'manifest.json': manifest, repositories: '{"alpine":{"latest":"b"}}', 'a.json': '{}', 'b.json': '{}', '1/layer.tar': 'one', '2/layer.tar': 'two' };

describe('Import', () => {
  it('loads only the stack\'s images and says which tags it left out', async () => {
    const file = await tarball('mixed.tar', files);
    const sent: Record<string, string>[] = [];
    const r = await importImages(engine(sent), file, dir, { allowed: ['obsdeck/poc3-api:dev'] });
    expect(r).toEqual({ loaded: ['obsdeck/poc3-api:dev'], skipped: ['alpine:latest', 'docker:cli'] });
    // What reached the engine names the stack's image only, has no legacy tags file, and keeps the layers.
    expect(JSON.parse(sent[0]!['manifest.json']!)).toEqual([{ Config: 'a.json', RepoTags: ['obsdeck/poc3-api:dev'], Layers: ['1/layer.tar'] }]);
    expect(sent[0]!.repositories).toBeUndefined();
    expect(sent[0]!['1/layer.tar']).toBe('one');
    expect(fs.readdirSync(dir).filter((f) => f.includes('.only.'))).toEqual([]); // the filtered copy is gone
  });

  it('loads the others once confirmed, and loads nothing when none is the stack\'s', async () => {
    const file = await tarball('mixed2.tar', files);
    const sent: Record<string, string>[] = [];
    expect(await importImages(engine(sent), file, dir, { allowed: ['obsdeck/poc3-api:dev'], also: ['alpine:latest'] })).toEqual({ loaded: ['obsdeck/poc3-api:dev', 'alpine:latest'], skipped: ['docker:cli'] });
    expect(await importImages(engine(sent), file, dir, { allowed: ['prom/prometheus:v3'] })).toEqual({ loaded: [], skipped: ['obsdeck/poc3-api:dev', 'alpine:latest', 'docker:cli'] });
    expect(sent).toHaveLength(1);
  });

  it('refuses a manifest.json larger than any tarball of images needs, without holding it', async () => {
    const file = await tarball('huge.tar', { 'manifest.json': `[${' '.repeat(2 << 20)}]` });
    await expect(tarballImages(file)).rejects.toThrow(/manifest\.json is \d+ bytes, more than 1048576/);
  });
});
