import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DecryptionError, FieldCipher } from './field-crypto.js';
import { loadSecrets, rotateEncryptionKey } from './secrets.js';

const ctx = { table: 'customers', recordId: 7, field: 'email' };
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'poc3-crypto-'));

describe('field encryption', () => {
  it('round-trips and uses a fresh nonce each time', () => {
    const s = loadSecrets(tmp());
    const cipher = new FieldCipher(s.encryptionKeys, s.activeKeyId);
    const a = cipher.encrypt('ana@example.com', ctx);
    const b = cipher.encrypt('ana@example.com', ctx);
    expect(a).not.toBe(b);
    expect(a).not.toContain('ana@');
    expect(a.split('.')[1]).toBe(s.activeKeyId);
    expect(cipher.decrypt(a, ctx)).toBe('ana@example.com');
  });

  it('refuses a ciphertext moved to another record or field, or tampered with', () => {
    const s = loadSecrets(tmp());
    const cipher = new FieldCipher(s.encryptionKeys, s.activeKeyId);
    const ct = cipher.encrypt('ana@example.com', ctx);
    expect(() => cipher.decrypt(ct, { ...ctx, recordId: 8 })).toThrow(DecryptionError);
    expect(() => cipher.decrypt(ct, { ...ctx, field: 'phone' })).toThrow(DecryptionError);
    const parts = ct.split('.');
    const body = Buffer.from(parts[3]!, 'base64url');
    body[0] = body[0]! ^ 1;
    parts[3] = body.toString('base64url');
    expect(() => cipher.decrypt(parts.join('.'), ctx)).toThrow(/failed authentication/);
    expect(() => cipher.decrypt('v1.nokey.AAAA.BBBB', ctx)).toThrow(/no key/);
  });

  it('keeps old rows readable after a key rotation, and encrypts new ones with the new key', () => {
    const dir = tmp();
    const before = loadSecrets(dir);
    const old = new FieldCipher(before.encryptionKeys, before.activeKeyId).encrypt('+34 600 000 000', ctx);
    const fresh = rotateEncryptionKey(dir);
    const after = loadSecrets(dir);
    expect(after.activeKeyId).toBe(fresh.id);
    const cipher = new FieldCipher(after.encryptionKeys, after.activeKeyId);
    expect(cipher.decrypt(old, ctx)).toBe('+34 600 000 000');
    expect(cipher.encrypt('x', ctx).split('.')[1]).toBe(fresh.id);
  });
});

describe('secrets', () => {
  it('generates them once, keeps them private and stable across restarts', () => {
    const dir = tmp();
    const first = loadSecrets(dir);
    expect(Buffer.from(first.jwtSecret, 'base64').length).toBeGreaterThanOrEqual(32);
    expect(fs.statSync(path.join(dir, 'secrets.json')).mode & 0o777).toBe(0o600);
    expect(loadSecrets(dir)).toEqual(first);
    expect(loadSecrets(tmp()).jwtSecret).not.toBe(first.jwtSecret);
  });

  it('takes them from the environment without writing them down, and refuses short ones', () => {
    const dir = tmp();
    const jwt = 'ab'.repeat(32);
    const s = loadSecrets(dir, { jwtSecret: jwt });
    expect(Buffer.from(s.jwtSecret, 'base64').toString('hex')).toBe(jwt);
    expect(fs.readFileSync(path.join(dir, 'secrets.json'), 'utf8')).not.toContain(Buffer.from(jwt, 'hex').toString('base64'));
    expect(() => loadSecrets(dir, { jwtSecret: 'c2hvcnQ=' })).toThrow(/API_JWT_SECRET must hold at least 32 bytes/);
    expect(() => loadSecrets(dir, { encryptionKey: 'abcd' })).toThrow(/API_ENCRYPTION_KEY/);
  });
});
