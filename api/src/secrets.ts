// Generates the API's secrets on first start and keeps them in the data directory (mode 0600),
// unless the environment provides them. Nothing secret is ever hard-coded.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface EncryptionKey {
  id: string;
  /** 32 bytes, base64. */
  key: string;
}

export interface Secrets {
  /** HS256 signing secret, at least 32 bytes, base64. */
  jwtSecret: string;
  /** Every key that may still have encrypted rows; `activeKeyId` encrypts new values. */
  encryptionKeys: EncryptionKey[];
  activeKeyId: string;
}

const FILE = 'secrets.json';

function decodeKey(value: string, name: string, minBytes: number): Buffer {
  const bytes = /^[0-9a-fA-F]+$/.test(value) && value.length % 2 === 0
    ? Buffer.from(value, 'hex')
    : Buffer.from(value, 'base64');
  if (bytes.length < minBytes) {
    throw new Error(`${name} must hold at least ${minBytes} bytes (${minBytes * 8} bits) as hex or base64; it holds ${bytes.length}`);
  }
  return bytes;
}

function newKey(): EncryptionKey {
  return { id: crypto.randomBytes(4).toString('hex'), key: crypto.randomBytes(32).toString('base64') };
}

// A random temporary name: replicas in containers all run as pid 1, so a pid names nothing.
const tmpName = (file: string) => `${file}.${crypto.randomBytes(6).toString('hex')}.tmp`;

function write(dataDir: string, secrets: Secrets): void {
  const file = path.join(dataDir, FILE);
  const tmp = tmpName(file);
  fs.writeFileSync(tmp, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  fs.renameSync(tmp, file);
}

/**
 * Publishes the first secrets only if no other process did (link fails when the file exists):
 * API replicas sharing one volume and starting together must all end up with the same JWT secret
 * and encryption keys, or a token signed by one is refused by another and one replica's
 * encrypted rows cannot be read by the others. Returns the secrets that won.
 */
function create(dataDir: string, secrets: Secrets): Secrets {
  const file = path.join(dataDir, FILE);
  const tmp = tmpName(file);
  fs.writeFileSync(tmp, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  try {
    fs.linkSync(tmp, file);
    return secrets;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Secrets;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/**
 * Loads the secrets file, creating it with fresh random secrets when absent. Values given in the
 * environment take precedence and are never written to disk.
 */
export function loadSecrets(dataDir: string, env: { jwtSecret?: string | undefined; encryptionKey?: string | undefined } = {}): Secrets {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(dataDir, FILE);
  let stored: Secrets;
  if (fs.existsSync(file)) {
    stored = JSON.parse(fs.readFileSync(file, 'utf8')) as Secrets;
  } else {
    const key = newKey();
    stored = create(dataDir, { jwtSecret: crypto.randomBytes(32).toString('base64'), encryptionKeys: [key], activeKeyId: key.id });
  }
  const secrets: Secrets = { ...stored, encryptionKeys: [...stored.encryptionKeys] };
  if (env.jwtSecret) {
    secrets.jwtSecret = decodeKey(env.jwtSecret, 'API_JWT_SECRET', 32).toString('base64');
  }
  if (env.encryptionKey) {
    const key = decodeKey(env.encryptionKey, 'API_ENCRYPTION_KEY', 32).subarray(0, 32);
    // The id is derived from the key so the same env value always maps to the same id.
    const id = `env-${crypto.createHash('sha256').update(key).digest('hex').slice(0, 8)}`;
    secrets.encryptionKeys = [...secrets.encryptionKeys.filter((k) => k.id !== id), { id, key: key.toString('base64') }];
    secrets.activeKeyId = id;
  }
  decodeKey(secrets.jwtSecret, 'the stored JWT secret', 32);
  return secrets;
}

/** Adds a new encryption key and makes it the active one; rows under older keys stay readable. */
export function rotateEncryptionKey(dataDir: string): EncryptionKey {
  const secrets = loadSecrets(dataDir);
  const key = newKey();
  write(dataDir, { ...secrets, encryptionKeys: [...secrets.encryptionKeys, key], activeKeyId: key.id });
  return key;
}
