// Client authentication from in-memory state: `Authorization: Bearer sk-…` or
// `X-API-Key: sk-…`. A key sent without `sk-` (One API habit) is normalised first.
import { hashClientKey } from '../secrets/crypto.ts';
import type { Store } from '../state/store.ts';
import type { KeyEntry, KeyHolder } from '../state/types.ts';
import { RelayError } from './protocols/openai/errors.ts';

export type { KeyHolder };

/** The presented client key, or null. Also accepts `x-goog-api-key` and `?key=` for Gemini-style clients. */
export function presentedKey(headers: Headers, url?: URL): string | null {
  const auth = headers.get('authorization');
  if (auth) {
    const m = /^Bearer\s+(.+)$/i.exec(auth.trim());
    if (m) return m[1]!.trim();
  }
  return headers.get('x-api-key')?.trim() || headers.get('x-goog-api-key')?.trim() || url?.searchParams.get('key') || null;
}

export function authenticate(store: Store, raw: string | null, now = Date.now()): KeyHolder {
  if (!raw) throw new RelayError(401, 'Missing API key. Send it as "Authorization: Bearer sk-...".', 'authentication_error', 'missing_api_key');
  const normalised = raw.startsWith('sk-') ? raw : `sk-${raw}`;
  let key = store.keyBySecret(normalised, hashClientKey);
  let pinChannel: number | undefined;
  if (!key) {
    // One API's admin channel pin: `sk-<key>-<channel id>` (middleware/auth.go TokenAuth).
    const pin = /^(.+)-(\d{1,9})$/.exec(normalised);
    if (pin) {
      key = store.keyBySecret(pin[1]!, hashClientKey);
      if (key) pinChannel = Number(pin[2]);
    }
  }
  if (!key) throw new RelayError(401, 'Invalid API key.', 'authentication_error', 'invalid_api_key');
  return principalOf(store, key, now, pinChannel);
}

/** The caller a known key stands for, if the key and its account may call now. */
export function principalOf(store: Store, key: KeyEntry, now = Date.now(), pinChannel?: number): KeyHolder {
  if (key.status !== 1) {
    const why = key.status === 3 ? 'expired' : key.status === 4 ? 'exhausted' : 'disabled';
    throw new RelayError(401, `This API key is ${why}.`, 'authentication_error', `key_${why}`);
  }
  if (key.expiresAt !== null && key.expiresAt <= now) throw new RelayError(401, 'This API key has expired.', 'authentication_error', 'key_expired');
  const user = store.user(key.userId);
  if (!user || user.status !== 1) throw new RelayError(401, 'The account owning this API key is disabled.', 'authentication_error', 'account_disabled');
  if (pinChannel !== undefined) {
    if (user.role !== 'admin' && user.role !== 'root')
      throw new RelayError(403, 'Only admin users may pin a channel with sk-<key>-<channel id>.', 'permission_error', 'channel_pin_forbidden');
    return { key, user, pinChannel };
  }
  return { key, user };
}
