// Baidu AI Cloud v1 credentials: an `API Key|Secret Key` pair (AK|SK) is exchanged for an
// access_token at the documented OAuth endpoint (https://cloud.baidu.com/doc/WENXINWORKSHOP/s/Ilkkrb0i5):
//   POST {host}/oauth/2.0/token?grant_type=client_credentials&client_id=AK&client_secret=SK
//   → {"access_token": "...", "expires_in": 2592000} or {"error": "...", "error_description": "..."}
// Tokens are cached until shortly before they expire; concurrent calls share one exchange.
import { guardedFetch } from '../../../security/guarded-fetch.ts';
import { readErrorText } from '../../protocols/shared/upstream-bounds.ts';
import { asRecord, asString, tryParse } from '../../protocols/shared/json.ts';

const REFRESH_MARGIN_MS = 60 * 60_000;
const cache = new Map<string, { token: string; expiresAt: number }>();
const inflight = new Map<string, Promise<string>>();

export function baiduKeyPair(key: string): { ak: string; sk: string } | null {
  const parts = key.split('|').map((s) => s.trim());
  return parts.length === 2 && parts[0] && parts[1] ? { ak: parts[0], sk: parts[1] } : null;
}

async function exchange(host: string, ak: string, sk: string): Promise<{ token: string; expiresAt: number }> {
  const url = `${host}/oauth/2.0/token?${new URLSearchParams({ grant_type: 'client_credentials', client_id: ak, client_secret: sk })}`;
  // Guarded like every server-side request (each address checked, no redirect followed); the answer is small.
  const res = await guardedFetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, signal: AbortSignal.timeout(15_000) });
  const text = await readErrorText(res);
  const body = asRecord(tryParse(text));
  const token = asString(body.access_token);
  if (!res.ok || !token) {
    const reason = asString(body.error_description) ?? asString(body.error) ?? `HTTP ${res.status}`;
    throw new Error(`Baidu access token exchange failed: ${reason.replaceAll(sk, '[redacted]')}`);
  }
  const ttl = typeof body.expires_in === 'number' ? body.expires_in : 2_592_000;
  return { token, expiresAt: Date.now() + ttl * 1000 };
}

export async function baiduAccessToken(host: string, ak: string, sk: string): Promise<string> {
  const key = `${host}\u0000${ak}\u0000${sk}`;
  const hit = cache.get(key);
  if (hit && hit.expiresAt - REFRESH_MARGIN_MS > Date.now()) return hit.token;
  let pending = inflight.get(key);
  if (!pending) {
    pending = exchange(host, ak, sk)
      .then((t) => {
        cache.set(key, t);
        return t.token;
      })
      .finally(() => inflight.delete(key));
    inflight.set(key, pending);
  }
  return pending;
}
