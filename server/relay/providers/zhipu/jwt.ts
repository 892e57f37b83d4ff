// Zhipu keys look like `{id}.{secret}`; the API takes an HS256 JWT signed with the
// secret, with `api_key`, `exp` and `timestamp` claims in MILLISECONDS and a
// `sign_type: SIGN` header. Tokens are cached per key until shortly before expiry.
import { SignJWT } from 'jose';

const TTL_MS = 60 * 60_000;
const REFRESH_MARGIN_MS = 5 * 60_000;
const cache = new Map<string, { token: string; expiresAt: number }>();

export function isIdSecretKey(key: string): boolean {
  return /^[^.\s]+\.[^.\s]+$/.test(key.trim());
}

export async function signZhipuToken(key: string, nowMs = Date.now()): Promise<string> {
  const [id = '', secret = ''] = key.trim().split('.');
  return new SignJWT({ api_key: id, exp: nowMs + TTL_MS, timestamp: nowMs })
    .setProtectedHeader({ alg: 'HS256', sign_type: 'SIGN' })
    .sign(new TextEncoder().encode(secret));
}

export async function zhipuToken(key: string): Promise<string> {
  const hit = cache.get(key);
  if (hit && hit.expiresAt - REFRESH_MARGIN_MS > Date.now()) return hit.token;
  const now = Date.now();
  const token = await signZhipuToken(key, now);
  cache.set(key, { token, expiresAt: now + TTL_MS });
  return token;
}
