// Three projects: unit tests next to the code (*.test.ts), test/integration against a real
// Docker engine, test/e2e driving the UI in Chromium. scripts/test.ts runs them in that order.
import { defineConfig } from 'vitest/config';

const exclude = ['**/node_modules/**', 'api/.image/**'];

export default defineConfig({
  test: {
    pool: 'forks',
    projects: [
      { test: { name: 'unit', include: ['main/**/*.test.ts', 'api/**/*.test.ts', 'scripts/**/*.test.ts', 'renderer/**/*.test.ts'], exclude, testTimeout: 20_000 } },
      { test: { name: 'integration', include: ['test/integration/**/*.test.ts'], exclude, testTimeout: 60_000, hookTimeout: 180_000 } },
      // Restarts the machine's dockerd: run alone, after the other integration tests.
      { test: { name: 'engine-restart', include: ['test/engine-restart/**/*.test.ts'], exclude, testTimeout: 180_000, hookTimeout: 180_000 } },
      { test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], exclude, testTimeout: 60_000, hookTimeout: 60_000 } },
    ],
  },
});
