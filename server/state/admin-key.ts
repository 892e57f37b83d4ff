// Which client key is ADMIN_KEY used as a relay key (server/aiproxy/admin-key-account.ts
// creates it): its calls are never refused for a missing price.

/** settings row: `{ userId, keyId }` of the admin-key system account and its key. */
export const ADMIN_KEY_ACCOUNT_SETTING = 'admin_key.account';

/** The ADMIN_KEY relay key's id, from the settings the store holds (no query). */
export function adminKeyRelayKeyId(settings: ReadonlyMap<string, unknown>): number | null {
  const v = settings.get(ADMIN_KEY_ACCOUNT_SETTING) as { keyId?: unknown } | undefined;
  return typeof v?.keyId === 'number' ? v.keyId : null;
}
