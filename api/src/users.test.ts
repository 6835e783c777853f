// Replicas of the API share one database and start together (Swarm): both seed the built-in
// users at once. One used to crash with "UNIQUE constraint failed: users.username".
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Store } from './store.js';
import { seedUsers } from './users.js';

describe('the built-in users', () => {
  it('are seeded once when two replicas on one database start together, and only one prints a generated password', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obsdeck-users-'));
    const a = new Store(dir);
    const b = new Store(dir);
    const printed: string[] = [];
    await Promise.all([seedUsers(a, { admin: 'admin-Passw0rd!' }, (l) => printed.push(l)), seedUsers(b, { admin: 'admin-Passw0rd!' }, (l) => printed.push(l))]);
    expect(a.userCount()).toBe(2);
    expect(a.userByName('admin')?.role).toBe('admin');
    expect(printed.filter((l) => l.includes('"user"'))).toHaveLength(1);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
