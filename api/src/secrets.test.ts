// Replicas of the API share one data volume and start together (Swarm, `deploy.replicas`):
// whichever writes the secrets first, every one of them must use the same ones.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadSecrets } from './secrets.js';

afterEach(() => vi.restoreAllMocks());

describe('the API\'s secrets', () => {
  it('are the ones another replica wrote between this one\'s check and its write', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obsdeck-secrets-'));
    const first = loadSecrets(dir); // the other replica, a moment earlier
    const before = fs.readFileSync(path.join(dir, 'secrets.json'), 'utf8');
    // This replica looked before that file existed: the interleaving of two starts.
    vi.spyOn(fs, 'existsSync').mockReturnValueOnce(false);
    const second = loadSecrets(dir);
    expect(second.jwtSecret).toBe(first.jwtSecret);
    expect(second.encryptionKeys).toEqual(first.encryptionKeys);
    expect(fs.readFileSync(path.join(dir, 'secrets.json'), 'utf8')).toBe(before); // not replaced
    expect(fs.readdirSync(dir)).toEqual(['secrets.json']); // no temporary file left
  });
});
