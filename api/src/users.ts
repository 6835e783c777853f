// The API's two built-in users, created on first start.
import { hashPassword, randomPassword } from './passwords.js';
import type { Store } from './store.js';

/**
 * Creates admin and user when the database has no user; a generated password is printed this
 * once only. Replicas sharing one database start together: each user is added only if no
 * replica added it between the count and the insert (hashing takes a while), and only the
 * replica that added it prints its password.
 */
export async function seedUsers(
  store: Store,
  passwords: { admin?: string | undefined; user?: string | undefined },
  print: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Promise<void> {
  if (store.userCount() > 0) return;
  for (const [name, role] of [['admin', 'admin'], ['user', 'user']] as const) {
    const given = passwords[name];
    const password = given ?? randomPassword();
    const added = store.addUserIfMissing(name, role, await hashPassword(password));
    if (added && !given) print(`created user "${name}" (role ${role}) with generated password: ${password}`);
  }
}
