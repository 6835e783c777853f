// The stack's credentials go to its services' origins only, and only while the app knows the
// service holds its port: a process that binds a port the stack gave up receives none.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchWithin, holdCredentials, useCredentials } from './fetch.js';

let server: http.Server;
let base: string;
const seen: (string | undefined)[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push(req.headers.authorization);
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

describe('credentials per origin', () => {
  it('are sent while the service holds its port, and not once it gave it up, until it holds it again', async () => {
    useCredentials(base, 'Basic c3RhY2s6cHc=');
    await fetchWithin(`${base}/a`, 2000);
    holdCredentials(base, false); // stopped, died, or its forward is not bound: anyone may hold the port
    await fetchWithin(`${base}/b`, 2000);
    useCredentials(base, 'Basic c3RhY2s6cHc='); // a reopen keeps what the app knows of the port
    await fetchWithin(`${base}/c`, 2000);
    holdCredentials(base, true);
    await fetchWithin(`${base}/d`, 2000);
    expect(seen).toEqual(['Basic c3RhY2s6cHc=', undefined, undefined, 'Basic c3RhY2s6cHc=']);
  });

  it('never go to another origin, not even another port of the same host', async () => {
    seen.length = 0;
    const other = `http://localhost:${new URL(base).port}`;
    await fetchWithin(`${other}/x`, 2000);
    expect(seen).toEqual([undefined]);
  });
});
