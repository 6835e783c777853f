// A Docker engine that answers a ping and then never again: each other request is held open
// without an answer, as a hung daemon does. For the tests that prove a step fails in time and lets
// the stack's lock go.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

export interface HungEngine {
  socket: string;
  /** How many requests it holds unanswered now. */
  held(): number;
  close(): Promise<void>;
}

export async function startHungEngine(): Promise<HungEngine> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obsdeck-hung-'));
  const socket = path.join(dir, 'docker.sock');
  const held: http.ServerResponse[] = [];
  const server = http.createServer((req, res) => {
    if (req.url?.endsWith('/_ping')) return res.end('OK');
    held.push(res); // hung: no answer, the connection kept open
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  return {
    socket,
    held: () => held.filter((r) => !r.destroyed).length,
    async close() {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
