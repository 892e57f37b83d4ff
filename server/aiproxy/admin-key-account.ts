// ADMIN_KEY as a relay key, as AI Proxy's ADMIN_KEY is (FastGPT sends every model call to
// AIPROXY_API_ENDPOINT/v1 with it). It is an ordinary client key in the database, owned by
// a system account the operator sees in the console and can limit like any other (key
// budget, RPM/TPM, model list, disable): account `admin-key`, post-paid (`unlimited`), role
// admin so it may pin channels; it has no password and cannot sign in. The key row stores
// only the hash of ADMIN_KEY and is re-hashed on every start, so changing ADMIN_KEY retires
// the old one. Its calls are never refused for a missing price (server/relay/admission.ts).
import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from '../../db/schema.ts';
import type { Logger } from '../logger.ts';
import { hashClientKey, hintOf } from '../secrets/crypto.ts';
import { ADMIN_KEY_ACCOUNT_SETTING } from '../state/admin-key.ts';
import { saveSettings } from '../state/save-settings.ts';

export const ADMIN_KEY_USERNAME = 'admin-key';

/** How the relay sees ADMIN_KEY: the relay normalises keys sent without `sk-` by adding it. */
const relayForm = (adminKey: string) => (adminKey.startsWith('sk-') ? adminKey : `sk-${adminKey}`);

export function ensureAdminKeyAccount(db: Kysely<Database>, adminKey: string, log: Logger): Promise<{ userId: number; keyId: number }> {
  // Instances starting together on one database take turns.
  return db.transaction().execute(async (tx) => {
    await sql`SELECT pg_advisory_xact_lock(hashtext('switchboard.admin_key_account'))`.execute(tx);
    return ensureIn(tx, adminKey, log);
  });
}

async function ensureIn(db: Transaction<Database>, adminKey: string, log: Logger): Promise<{ userId: number; keyId: number }> {
  const hash = hashClientKey(relayForm(adminKey));
  const hint = `ADMIN_KEY ${hintOf(adminKey)}`;
  const row = await db.selectFrom('settings').select('value').where('key', '=', ADMIN_KEY_ACCOUNT_SETTING).executeTakeFirst();
  const saved = row?.value as { userId?: number; keyId?: number } | undefined;
  if (saved?.userId && saved.keyId) {
    const key = await db.selectFrom('api_keys').select(['id', 'key_hash']).where('id', '=', saved.keyId).where('user_id', '=', saved.userId).executeTakeFirst();
    if (key) {
      if (key.key_hash !== hash) {
        await db.updateTable('api_keys').set({ key_hash: hash, key_hint: hint }).where('id', '=', key.id).execute();
        log.info('ADMIN_KEY changed: the admin-key relay key now takes the new one', { key_id: key.id });
      }
      return { userId: saved.userId, keyId: key.id };
    }
  }
  let userId = saved?.userId && (await db.selectFrom('users').select('id').where('id', '=', saved.userId).executeTakeFirst())?.id;
  if (!userId) {
    const taken = await db.selectFrom('users').select('username').where('username', 'like', `${ADMIN_KEY_USERNAME}%`).execute();
    const names = new Set(taken.map((t) => t.username));
    let username = ADMIN_KEY_USERNAME;
    for (let i = 2; names.has(username); i++) username = `${ADMIN_KEY_USERNAME}-${i}`;
    userId = (await db.insertInto('users').values({
      username, display_name: 'ADMIN_KEY (FastGPT / AI Proxy API)', password_hash: null, role: 'admin',
      group_name: 'default', balance: 0n, unlimited: true, rpm: null, tpm: null, oneapi_id: null,
    }).returning('id').executeTakeFirstOrThrow()).id;
  }
  const key = await db.insertInto('api_keys').values({
    user_id: userId, name: 'ADMIN_KEY', key_hash: hash, key_hint: hint, oneapi_id: null, last_used_at: null,
    budget: null, period: null, period_budget: null, period_start: null, expires_at: null, models: null, ip_allow: null, groups: null, rpm: null, tpm: null,
  }).returning('id').executeTakeFirstOrThrow();
  await saveSettings(db, { [ADMIN_KEY_ACCOUNT_SETTING]: { userId, keyId: key.id } });
  log.info('ADMIN_KEY works as a relay key, billed to the admin-key account', { user_id: userId, key_id: key.id });
  return { userId, keyId: key.id };
}
