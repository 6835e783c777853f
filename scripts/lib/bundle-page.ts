// A page of the renderer's code on its own, for the benches and tests that drive one component
// in Chromium (bench/charts.ts, test/e2e/chart.test.ts): `entry` bundled with esbuild as the
// app's build does (production React), served from a temporary directory on 127.0.0.1.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';

export interface BundlePage { url: string; close: () => void }

export async function serveBundle(entry: string, opts: { minify?: boolean } = {}): Promise<BundlePage> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obsdeck-page-'));
  const name = path.basename(entry).replace(/\.tsx?$/, '');
  await build({ entryPoints: [entry], bundle: true, format: 'esm', outdir: dir, jsx: 'automatic', minify: opts.minify ?? true, define: { 'process.env.NODE_ENV': '"production"' }, logLevel: 'error' });
  fs.writeFileSync(path.join(dir, 'index.html'), `<!doctype html><meta charset="utf-8"><link rel="stylesheet" href="${name}.css"><div id="root"></div><script type="module" src="${name}.js"></script>`);
  const types: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.html': 'text/html' };
  const server = http.createServer((req, res) => {
    const file = path.join(dir, path.basename(new URL(req.url ?? '/', 'http://x').pathname) || 'index.html');
    if (!fs.existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' }).end(fs.readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    close: () => {
      server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
