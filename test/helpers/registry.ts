// A registry on 127.0.0.1 for the Pull tests (no registry is reachable from this machine): the
// Distribution API's read side (GET /v2/, manifests, blobs) serving one image made here with
// random layers, so the real engine downloads each layer and reports its progress as it does
// from Docker Hub. The engine treats 127.0.0.0/8 registries as plain HTTP by default.
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { pack } from 'tar-stream';

const sha = (b: Buffer) => `sha256:${crypto.createHash('sha256').update(b).digest('hex')}`;

async function layerTar(name: string, bytes: number): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on('data', (c) => chunks.push(c as Buffer));
  const done = new Promise<void>((resolve) => p.on('end', () => resolve()));
  p.entry({ name }, crypto.randomBytes(bytes));
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}

export interface TestRegistry { url: string; host: string; image: string; layers: { digest: string; size: number }[]; close(): Promise<void> }

/** Serves `repo:tag` with `layers` layers of `layerBytes` random bytes each (random: none already on the engine). */
export async function startRegistry(repo: string, tag: string, layers = 2, layerBytes = 4 << 20): Promise<TestRegistry> {
  const blobs = new Map<string, Buffer>();
  const diffIds: string[] = [];
  const described: { digest: string; size: number }[] = [];
  for (let i = 0; i < layers; i++) {
    const tar = await layerTar(`layer-${i}.bin`, layerBytes);
    diffIds.push(sha(tar));
    // Level 1: random bytes do not compress; this only makes the gzip the media type asks for.
    const gz = zlib.gzipSync(tar, { level: 1 });
    blobs.set(sha(gz), gz);
    described.push({ digest: sha(gz), size: gz.length });
  }
  const config = Buffer.from(JSON.stringify({
    architecture: process.arch === 'arm64' ? 'arm64' : 'amd64', os: 'linux', config: { Cmd: ['/none'] },
    rootfs: { type: 'layers', diff_ids: diffIds },
    history: diffIds.map(() => ({ created_by: 'obsdeck test registry' })),
  }));
  blobs.set(sha(config), config);
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: config.length, digest: sha(config) },
    layers: described.map((l) => ({ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', ...l })),
  }));
  const server = http.createServer((req, res) => {
    const url = req.url ?? '';
    const send = (status: number, body: Buffer, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'Docker-Distribution-API-Version': 'registry/2.0', 'Content-Length': String(body.length), ...headers });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (url === '/v2/' || url === '/v2') return send(200, Buffer.from('{}'), { 'Content-Type': 'application/json' });
    const m = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(url);
    if (m && m[1] === repo && m[2] === 'manifests' && (m[3] === tag || m[3] === sha(manifest))) {
      return send(200, manifest, { 'Content-Type': 'application/vnd.docker.distribution.manifest.v2+json', 'Docker-Content-Digest': sha(manifest) });
    }
    const blob = m && m[1] === repo && m[2] === 'blobs' ? blobs.get(m[3]!) : undefined;
    if (blob) return send(200, blob, { 'Content-Type': 'application/octet-stream', 'Docker-Content-Digest': m![3]! });
    return send(404, Buffer.from(JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'unknown' }] })), { 'Content-Type': 'application/json' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `http://${host}`, host, image: `${host}/${repo}:${tag}`, layers: described,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
