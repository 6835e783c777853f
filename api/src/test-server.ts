// Starts the real API on a free loopback port with a fresh data directory, for tests and benches.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { loadConfig, type ApiConfig } from './config.js';
import { loadSecrets } from './secrets.js';
import { buildServer, type BuiltServer } from './server.js';
import { Store } from './store.js';
import { seedUsers } from './users.js';

export const PASSWORDS = { admin: 'admin-Passw0rd-for-tests', user: 'user-Passw0rd-for-tests' };

export interface RunningApi extends BuiltServer {
  base: string;
  dataDir: string;
  store: Store;
  /** Everything the server logged so far. */
  logs: () => string;
  close: () => Promise<void>;
}

export async function startApi(overrides: Partial<ApiConfig> = {}, dataDir?: string): Promise<RunningApi> {
  const dir = dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'poc3-api-'));
  const config: ApiConfig = { ...loadConfig({}), dataDir: dir, port: 0, ...overrides };
  const secrets = loadSecrets(dir, { jwtSecret: config.jwtSecret, encryptionKey: config.encryptionKey });
  const store = new Store(dir);
  await seedUsers(store, PASSWORDS, () => undefined);
  const stream = new PassThrough();
  let logged = '';
  stream.on('data', (chunk: Buffer) => {
    logged += chunk.toString('utf8');
  });
  const built = buildServer(config, secrets, store, stream);
  await built.app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = built.app.server.address() as AddressInfo;
  return {
    ...built,
    base: `http://127.0.0.1:${port}`,
    dataDir: dir,
    store,
    logs: () => logged,
    close: async () => {
      await built.app.close();
      store.close();
    },
  };
}
