// Service account → OAuth access token via the JWT-bearer grant (RFC 7523): sign an
// RS256 assertion, POST it to the token URI, cache the token until shortly before it
// expires. Concurrent requests for the same account share one exchange.
import { importPKCS8, SignJWT } from 'jose';
import { readBounded } from '../../protocols/shared/upstream-bounds.ts';
import { guardedFetch } from '../../../security/guarded-fetch.ts';
import { asRecord, asString, tryParse } from '../../protocols/shared/json.ts';
import type { ServiceAccount } from './service-account.ts';

export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
/** Refresh this long before expiry so a token never expires mid-request. */
const REFRESH_MARGIN_MS = 5 * 60_000;

interface CachedToken {
  token: string;
  expiresAt: number;
}

const cache = new Map<string, CachedToken>();
const inflight = new Map<string, Promise<CachedToken>>();

function cacheKey(sa: ServiceAccount): string {
  return `${sa.client_email}\u0000${sa.private_key_id ?? ''}\u0000${sa.token_uri}`;
}

export async function signAssertion(sa: ServiceAccount, nowSec = Math.floor(Date.now() / 1000)): Promise<string> {
  const key = await importPKCS8(sa.private_key, 'RS256');
  return new SignJWT({ scope: CLOUD_PLATFORM_SCOPE })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', ...(sa.private_key_id ? { kid: sa.private_key_id } : {}) })
    .setIssuer(sa.client_email)
    .setSubject(sa.client_email)
    .setAudience(sa.token_uri)
    .setIssuedAt(nowSec)
    .setExpirationTime(nowSec + 3600)
    .sign(key);
}

async function exchange(sa: ServiceAccount): Promise<CachedToken> {
  const assertion = await signAssertion(sa);
  // token_uri comes from the uploaded service account: it is checked like any upstream.
  const res = await guardedFetch(sa.token_uri, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }).toString(),
  });
  const text = new TextDecoder().decode(await readBounded(res, 64 * 1024, true));
  const body = asRecord(tryParse(text));
  const token = asString(body.access_token);
  if (!res.ok || !token) {
    // Only the OAuth error fields (RFC 6749 §5.2), never the raw body: the endpoint is not ours.
    const reason = asString(body.error_description)?.slice(0, 200) ?? asString(body.error)?.slice(0, 100) ?? 'no OAuth error in the answer';
    throw new Error(`Vertex AI token exchange failed (HTTP ${res.status}): ${reason}`);
  }
  const ttl = typeof body.expires_in === 'number' ? body.expires_in : 3600;
  return { token, expiresAt: Date.now() + ttl * 1000 };
}

export async function getAccessToken(sa: ServiceAccount): Promise<string> {
  const key = cacheKey(sa);
  const hit = cache.get(key);
  if (hit && hit.expiresAt - REFRESH_MARGIN_MS > Date.now()) return hit.token;
  let pending = inflight.get(key);
  if (!pending) {
    pending = exchange(sa).finally(() => inflight.delete(key));
    inflight.set(key, pending);
  }
  const fresh = await pending;
  cache.set(key, fresh);
  return fresh.token;
}

/** Tests only: forget cached tokens. */
export function clearTokenCache(): void {
  cache.clear();
}
