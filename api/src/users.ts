// The API's two built-in users, created on first start.
import { hashPassword, randomPassword } from './passwords.js';
import type { Store } from './store.js';

/** Creates admin and user when the database has no user; a generated password is printed this once only. */
export async function seedUsers(
  store: Store,
  passwords: { admin?: string | undefined; user?: string | undefined },
  print: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Promise<void> {
  if (store.userCount() > 0) return;
  for (const [name, role] of [['admin', 'admin'], ['user', 'user']] as const) {
    const given = passwords[name];
    const password = given ?? randomPassword();
    store.createUser(name, role, await hashPassword(password));
    if (!given) print(`created user "${name}" (role ${role}) with generated password: ${password}`);
  }
}
