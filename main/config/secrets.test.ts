import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stackSecrets, withSecrets } from './secrets.js';

describe('the stack\'s secrets', () => {
  it('are generated once, private, kept, and yield to the environment', () => {
    const data = fs.mkdtempSync(path.join(os.tmpdir(), 'obsdeck-secrets-'));
    try {
      const first = stackSecrets(data);
      expect(Object.values(first).every((v) => /^[\w-]{24}$/.test(v))).toBe(true);
      expect(new Set(Object.values(first)).size).toBe(3);
      expect(fs.statSync(path.join(data, 'secrets.json')).mode & 0o077).toBe(0);
      expect(stackSecrets(data)).toEqual(first);
      const env = withSecrets({ API_ADMIN_PASSWORD: 'given', GRAFANA_ADMIN_PASSWORD: '' }, data);
      expect(env.API_ADMIN_PASSWORD).toBe('given');
      expect(env.API_USER_PASSWORD).toBe(first.API_USER_PASSWORD);
      expect(env.GRAFANA_ADMIN_PASSWORD).toBe(first.GRAFANA_ADMIN_PASSWORD);
    } finally {
      fs.rmSync(data, { recursive: true, force: true });
    }
  });
});
