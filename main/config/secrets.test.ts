import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SECRET_VARIABLES, SecretsDamaged, stackSecrets, withSecrets } from './secrets.js';

describe('the stack\'s secrets', () => {
  it('are generated once, private, kept, and yield to the environment', () => {
    const data = fs.mkdtempSync(path.join(os.tmpdir(), 'obsdeck-secrets-'));
    try {
      const first = stackSecrets(data);
      expect(Object.values(first).every((v) => /^[\w-]{24}$/.test(v))).toBe(true);
      expect(new Set(Object.values(first)).size).toBe(SECRET_VARIABLES.length);
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

  it('stop with a message naming the file when it is damaged, and never replace it', () => {
    const data = fs.mkdtempSync(path.join(os.tmpdir(), 'obsdeck-secrets-'));
    const file = path.join(data, 'secrets.json');
    try {
      const first = stackSecrets(data);
      for (const damage of ['{"API_ADMIN_PASSWORD": "x", ', '[]', '{"API_ADMIN_PASSWORD": 42}', '']) {
        fs.writeFileSync(file, damage);
        expect(() => stackSecrets(data)).toThrow(SecretsDamaged);
        expect(() => stackSecrets(data)).toThrow(`${file} is damaged`);
        expect(() => stackSecrets(data)).toThrow(/put back a copy of the file, or delete it together with the stack's volumes/);
        expect(fs.readFileSync(file, 'utf8')).toBe(damage); // reported, not replaced
      }
      // An older file that lacks a newer secret keeps what it has and gains the new one.
      fs.writeFileSync(file, JSON.stringify({ API_ADMIN_PASSWORD: first.API_ADMIN_PASSWORD, API_USER_PASSWORD: first.API_USER_PASSWORD }));
      const upgraded = stackSecrets(data);
      expect(upgraded.API_ADMIN_PASSWORD).toBe(first.API_ADMIN_PASSWORD);
      expect(upgraded.GRAFANA_ADMIN_PASSWORD).toMatch(/^[\w-]{24}$/);
      expect(stackSecrets(data)).toEqual(upgraded);
      expect(fs.readdirSync(data)).toEqual(['secrets.json']); // no temp file left behind
    } finally {
      fs.rmSync(data, { recursive: true, force: true });
    }
  });
});
