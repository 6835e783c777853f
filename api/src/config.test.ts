// The API's settings from its environment: a secret given in a file (`NAME_FILE`, as Swarm and
// Kubernetes mount them) is read from it, so the value is in no environment `docker inspect` shows.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('the API\'s settings', () => {
  it('reads a password from NAME_FILE when NAME is not set, without its final newline', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'poc3-config-'));
    fs.writeFileSync(path.join(dir, 'admin'), 's3cret-from-a-file\n');
    expect(loadConfig({ API_ADMIN_PASSWORD_FILE: path.join(dir, 'admin') }).adminPassword).toBe('s3cret-from-a-file');
    expect(loadConfig({ API_ADMIN_PASSWORD: 'given', API_ADMIN_PASSWORD_FILE: path.join(dir, 'admin') }).adminPassword).toBe('given');
    expect(loadConfig({}).adminPassword).toBeUndefined();
    expect(() => loadConfig({ API_USER_PASSWORD_FILE: path.join(dir, 'missing') })).toThrow(`API_USER_PASSWORD_FILE names ${path.join(dir, 'missing')}, which cannot be read (ENOENT)`);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('answers to its service names and the ones API_ALLOWED_HOSTS adds', () => {
    expect(loadConfig({ API_ALLOWED_HOSTS: 'Api.Example.Test, other' }).allowedHosts).toEqual(expect.arrayContaining(['api_poc3', 'api-poc3', 'api.example.test', 'other']));
  });
});
