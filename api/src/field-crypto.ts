// AES-256-GCM encryption of single fields at rest: a random 96-bit nonce per value, associated
// data binding the ciphertext to its record and field, and the key id stored with the value so
// keys can rotate without losing old rows.
import crypto from 'node:crypto';
import type { EncryptionKey } from './secrets.js';

const VERSION = 'v1';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export class DecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecryptionError';
  }
}

export interface FieldContext {
  table: string;
  recordId: number | string;
  field: string;
}

function aad(ctx: FieldContext): Buffer {
  return Buffer.from(`${ctx.table}:${ctx.recordId}:${ctx.field}`, 'utf8');
}

export class FieldCipher {
  private readonly keys = new Map<string, Buffer>();

  constructor(keys: EncryptionKey[], private readonly activeKeyId: string) {
    for (const k of keys) {
      const bytes = Buffer.from(k.key, 'base64');
      if (bytes.length !== 32) throw new Error(`encryption key ${k.id} is ${bytes.length} bytes, not 32`);
      if (k.id.includes('.')) throw new Error(`encryption key id "${k.id}" may not contain a dot`);
      this.keys.set(k.id, bytes);
    }
    if (!this.keys.has(activeKeyId)) throw new Error(`the active encryption key ${activeKeyId} is not in the key ring`);
  }

  /** Returns `v1.<keyId>.<nonce>.<ciphertext+tag>` (base64url parts). */
  encrypt(plaintext: string, ctx: FieldContext): string {
    const key = this.keys.get(this.activeKeyId)!;
    const nonce = crypto.randomBytes(NONCE_BYTES);
    const cipher = crypto.createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad(ctx));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return [VERSION, this.activeKeyId, nonce.toString('base64url'), body.toString('base64url')].join('.');
  }

  decrypt(stored: string, ctx: FieldContext): string {
    const [version, keyId, nonceText, bodyText] = stored.split('.');
    if (version !== VERSION || !keyId || !nonceText || !bodyText) throw new DecryptionError('unrecognised ciphertext format');
    const key = this.keys.get(keyId);
    if (!key) throw new DecryptionError(`no key with id ${keyId} in the key ring`);
    const nonce = Buffer.from(nonceText, 'base64url');
    const body = Buffer.from(bodyText, 'base64url');
    if (nonce.length !== NONCE_BYTES || body.length < TAG_BYTES) throw new DecryptionError('truncated ciphertext');
    const decipher = crypto.createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad(ctx));
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new DecryptionError('ciphertext failed authentication (wrong key, record or field)');
    }
  }
}
