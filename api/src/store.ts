// The API's SQLite database: users, customers (email and phone stored encrypted) and the
// bookkeeping of issued tokens that makes revocation, refresh rotation and reuse detection work.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';

export type Role = 'admin' | 'user';

export interface UserRow {
  id: number;
  username: string;
  role: Role;
  password_hash: string;
}

export interface CustomerRow {
  id: number;
  owner_id: number;
  owner: string;
  name: string;
  email_ct: string;
  phone_ct: string;
  created_at: number;
  updated_at: number;
}

export interface RefreshRow {
  jti: string;
  family_id: string;
  user_id: number;
  expires_at: number;
  spent_at: number | null;
  revoked_at: number | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS users (
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL CHECK (role IN ('admin','user')),
  password_hash TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS customers (
  id INTEGER PRIMARY KEY,
  owner_id INTEGER NOT NULL REFERENCES users(id),
  name TEXT NOT NULL,
  email_ct TEXT NOT NULL,
  phone_ct TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS customers_owner ON customers(owner_id, id);
CREATE TABLE IF NOT EXISTS tokens (
  jti TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('access','refresh')),
  family_id TEXT NOT NULL,
  user_id INTEGER NOT NULL REFERENCES users(id),
  expires_at INTEGER NOT NULL,
  spent_at INTEGER,
  revoked_at INTEGER
);
CREATE INDEX IF NOT EXISTS tokens_family ON tokens(family_id);
CREATE INDEX IF NOT EXISTS tokens_live ON tokens(expires_at) WHERE revoked_at IS NULL AND spent_at IS NULL;
`;

/** Seconds since the epoch, the unit JWT `exp` uses. */
export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

export class Store {
  readonly db: Database.Database;
  private readonly stmts;

  constructor(dataDir: string) {
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    this.db = new Database(path.join(dataDir, 'poc3.sqlite'));
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    const db = this.db;
    this.stmts = {
      userByName: db.prepare<[string], UserRow>('SELECT * FROM users WHERE username = ?'),
      userById: db.prepare<[number], UserRow>('SELECT * FROM users WHERE id = ?'),
      userCount: db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM users'),
      insertUser: db.prepare('INSERT INTO users (username, role, password_hash) VALUES (?, ?, ?)'),
      insertUserIfMissing: db.prepare('INSERT INTO users (username, role, password_hash) VALUES (?, ?, ?) ON CONFLICT(username) DO NOTHING'),
      insertToken: db.prepare('INSERT INTO tokens (jti, kind, family_id, user_id, expires_at) VALUES (?, ?, ?, ?, ?)'),
      token: db.prepare<[string, string], RefreshRow>('SELECT * FROM tokens WHERE jti = ? AND kind = ?'),
      spend: db.prepare('UPDATE tokens SET spent_at = ? WHERE jti = ? AND spent_at IS NULL AND revoked_at IS NULL'),
      revokeFamily: db.prepare('UPDATE tokens SET revoked_at = ? WHERE family_id = ? AND revoked_at IS NULL'),
      familyRevoked: db.prepare<[string], { one: number }>('SELECT 1 AS one FROM tokens WHERE family_id = ? AND revoked_at IS NOT NULL LIMIT 1'),
      activeTokens: db.prepare<[number], { n: number }>(
        'SELECT COUNT(*) AS n FROM tokens WHERE revoked_at IS NULL AND spent_at IS NULL AND expires_at > ?',
      ),
      purgeTokens: db.prepare('DELETE FROM tokens WHERE expires_at < ?'),
      insertCustomer: db.prepare(
        "INSERT INTO customers (owner_id, name, email_ct, phone_ct, created_at, updated_at) VALUES (?, ?, '', '', ?, ?)",
      ),
      setCustomer: db.prepare('UPDATE customers SET name = ?, email_ct = ?, phone_ct = ?, updated_at = ? WHERE id = ?'),
      customer: db.prepare<[number], CustomerRow>(
        'SELECT c.*, u.username AS owner FROM customers c JOIN users u ON u.id = c.owner_id WHERE c.id = ?',
      ),
      customersAll: db.prepare<[number, number], CustomerRow>(
        'SELECT c.*, u.username AS owner FROM customers c JOIN users u ON u.id = c.owner_id ORDER BY c.id LIMIT ? OFFSET ?',
      ),
      customersOf: db.prepare<[number, number, number], CustomerRow>(
        'SELECT c.*, u.username AS owner FROM customers c JOIN users u ON u.id = c.owner_id WHERE c.owner_id = ? ORDER BY c.id LIMIT ? OFFSET ?',
      ),
      countAll: db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM customers'),
      countOf: db.prepare<[number], { n: number }>('SELECT COUNT(*) AS n FROM customers WHERE owner_id = ?'),
      deleteCustomer: db.prepare('DELETE FROM customers WHERE id = ?'),
    };
  }

  close(): void {
    this.db.close();
  }

  ping(): boolean {
    return this.db.prepare('SELECT 1 AS ok').get() !== undefined;
  }

  userCount(): number {
    return this.stmts.userCount.get()!.n;
  }
  userByName(username: string): UserRow | undefined {
    return this.stmts.userByName.get(username);
  }
  userById(id: number): UserRow | undefined {
    return this.stmts.userById.get(id);
  }
  /** Adds the user unless one of that name exists (another replica on the same database may have just added it); true when added. */
  addUserIfMissing(username: string, role: Role, passwordHash: string): boolean {
    return this.stmts.insertUserIfMissing.run(username, role, passwordHash).changes === 1;
  }

  createUser(username: string, role: Role, passwordHash: string): number {
    return Number(this.stmts.insertUser.run(username, role, passwordHash).lastInsertRowid);
  }

  recordToken(jti: string, kind: 'access' | 'refresh', familyId: string, userId: number, expiresAt: number): void {
    this.stmts.insertToken.run(jti, kind, familyId, userId, expiresAt);
  }
  token(jti: string, kind: 'access' | 'refresh'): RefreshRow | undefined {
    return this.stmts.token.get(jti, kind);
  }
  /** Marks a refresh token spent; false when it was already spent or revoked (a race lost). */
  spendRefresh(jti: string): boolean {
    return this.stmts.spend.run(nowSeconds(), jti).changes === 1;
  }
  /**
   * Rotation as one step: spends `jti` and records the new tokens in one transaction, only if
   * the token was unspent and its family has no revoked token. False (nothing recorded) when
   * the race was lost or the family was revoked, so a revoked family never gains a live token.
   */
  rotateRefresh(jti: string, familyId: string, fresh: { jti: string; kind: 'access' | 'refresh'; expiresAt: number; userId: number }[]): boolean {
    return this.db.transaction(() => {
      if (this.stmts.familyRevoked.get(familyId)) return false;
      if (this.stmts.spend.run(nowSeconds(), jti).changes !== 1) return false;
      for (const t of fresh) this.stmts.insertToken.run(t.jti, t.kind, familyId, t.userId, t.expiresAt);
      return true;
    }).immediate();
  }
  revokeFamily(familyId: string): number {
    return this.stmts.revokeFamily.run(nowSeconds(), familyId).changes;
  }
  activeTokenCount(): number {
    return this.stmts.activeTokens.get(nowSeconds())!.n;
  }
  /** Forgets tokens that expired long enough ago that nobody can present them again. */
  purgeExpiredTokens(olderThanSeconds: number): number {
    return this.stmts.purgeTokens.run(nowSeconds() - olderThanSeconds).changes;
  }

  /**
   * Inserts a customer whose encrypted fields depend on its id (the id is in their associated
   * data), so the row is created first and filled in the same transaction.
   */
  createCustomer(ownerId: number, fill: (id: number) => { name: string; emailCt: string; phoneCt: string }): CustomerRow {
    return this.db.transaction(() => {
      const now = nowSeconds();
      const id = Number(this.stmts.insertCustomer.run(ownerId, '', now, now).lastInsertRowid);
      const { name, emailCt, phoneCt } = fill(id);
      this.stmts.setCustomer.run(name, emailCt, phoneCt, now, id);
      return this.stmts.customer.get(id)!;
    })();
  }
  customer(id: number): CustomerRow | undefined {
    return this.stmts.customer.get(id);
  }
  updateCustomer(id: number, name: string, emailCt: string, phoneCt: string): CustomerRow {
    this.stmts.setCustomer.run(name, emailCt, phoneCt, nowSeconds(), id);
    return this.stmts.customer.get(id)!;
  }
  deleteCustomer(id: number): boolean {
    return this.stmts.deleteCustomer.run(id).changes === 1;
  }
  listCustomers(ownerId: number | null, limit: number, offset: number): { rows: CustomerRow[]; total: number } {
    if (ownerId === null) {
      return { rows: this.stmts.customersAll.all(limit, offset), total: this.stmts.countAll.get()!.n };
    }
    return { rows: this.stmts.customersOf.all(ownerId, limit, offset), total: this.stmts.countOf.get(ownerId)!.n };
  }
}
