// Starts the POC3 Security API: `npm run api` (HOST, PORT and API_DATA_DIR override the defaults).
import { loadConfig } from './config.js';
import { loadSecrets } from './secrets.js';
import { buildServer } from './server.js';
import { Store } from './store.js';
import { seedUsers } from './users.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const secrets = loadSecrets(config.dataDir, { jwtSecret: config.jwtSecret, encryptionKey: config.encryptionKey });
  const store = new Store(config.dataDir);
  await seedUsers(store, { admin: config.adminPassword, user: config.userPassword });
  const { app } = buildServer(config, secrets, store);
  const purge = setInterval(() => store.purgeExpiredTokens(3600), 10 * 60_000);
  purge.unref();
  let closing = false;
  const shutdown = (signal: string): void => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    clearInterval(purge);
    void app.close().then(() => {
      store.close();
      process.exit(0);
    });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  await app.listen({ host: config.host, port: config.port });
}

main().catch((err: unknown) => {
  process.stderr.write(`poc3-security api failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
