// First start on an empty database: a root account with a random password printed once
// (ADMIN_PASSWORD overrides it). There is never a fixed default password. Without
// ADMIN_KEY, a machine admin key is generated into DATA_DIR/admin-key (mode 0600) for
// the CLI on this host.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { createUser } from './admin/users.ts';
import { hashPassword } from './auth/passwords.ts';
import type { Logger } from './logger.ts';
import { randomToken } from './secrets/crypto.ts';

export async function ensureRoot(db: Kysely<Database>, adminPassword: string | undefined, log: Logger): Promise<void> {
  const any = await db.selectFrom('users').select('id').where('role', '=', 'root').executeTakeFirst();
  if (any) return;
  const password = adminPassword ?? randomToken(20);
  await createUser(db, { username: 'root', passwordHash: await hashPassword(password), role: 'root', unlimited: true, actor: 'bootstrap' });
  if (adminPassword) {
    log.info('created root account with the password from ADMIN_PASSWORD', { username: 'root' });
  } else {
    // Printed once, on the first start only; it is stored hashed.
    process.stdout.write(`\n  Switchboard root account created.\n  username: root\n  password: ${password}\n  (shown once; change it after signing in)\n\n`);
  }
}

export function adminKeyFile(dataDir: string): string {
  return join(dataDir, 'admin-key');
}

/** ADMIN_KEY from the environment, else the one in DATA_DIR/admin-key, created on first start. */
export function ensureAdminKey(fromEnv: string | undefined, dataDir: string): string {
  if (fromEnv) return fromEnv;
  const file = adminKeyFile(dataDir);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const key = `sb-admin-${randomToken(40)}`;
  writeFileSync(file, key + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return key;
}
