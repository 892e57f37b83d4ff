// One upstream HTTP attempt with a first-byte deadline, linked to the client's abort.
import { guardedFetch, UpstreamBlockedError } from '../security/guarded-fetch.ts';
import { RelayError } from './protocols/openai/errors.ts';
import type { UpstreamRequest } from './providers/types.ts';

export interface Attempt {
  response: Response;
  /** Abort the upstream request (client went away, idle timeout). */
  abort: (cause: AbortCause) => void;
  signal: AbortSignal;
}

/**
 * Why an upstream request was aborted. The signal's reason is a DOMException named
 * `AbortError` when the client went away and `TimeoutError` for a deadline (the names
 * AbortSignal.abort() and AbortSignal.timeout() use), so readers test the name, not a message.
 */
export type AbortCause = 'client disconnected' | 'first byte timeout' | 'stream idle timeout' | 'test timeout' | 'gateway shutting down' | 'stream event too large';

export function abortReason(cause: AbortCause): DOMException {
  return new DOMException(cause, cause === 'client disconnected' ? 'AbortError' : 'TimeoutError');
}

/** True when `signal` was aborted because the client went away (not by a deadline). */
export function abortedByClient(signal: AbortSignal): boolean {
  return signal.aborted && (signal.reason as { name?: unknown } | undefined)?.name === 'AbortError';
}

export async function sendUpstream(req: UpstreamRequest, clientSignal: AbortSignal | undefined, firstByteMs: number): Promise<Attempt> {
  const ctrl = new AbortController();
  const abort = (cause: AbortCause) => { if (!ctrl.signal.aborted) ctrl.abort(abortReason(cause)); };
  const onClientAbort = () => abort('client disconnected');
  clientSignal?.addEventListener('abort', onClientAbort, { once: true });
  let timedOut = false;
  const timer = setTimeout(() => { timedOut = true; abort('first byte timeout'); }, firstByteMs);
  try {
    // Checked and pinned address; a redirect is an answer like any other, never followed.
    const response = await guardedFetch(req.url, {
      method: req.method,
      headers: req.headers,
      body: req.body,
      signal: ctrl.signal,
      // Bun: keep the upstream's compressed bytes out of our way; we forward what we read.
      decompress: true,
    } as RequestInit);
    return { response, abort, signal: ctrl.signal };
  } catch (err) {
    clientSignal?.removeEventListener('abort', onClientAbort);
    if (timedOut) throw new RelayError(504, `Upstream did not answer within ${firstByteMs} ms.`, 'timeout_error', 'upstream_timeout');
    if (clientSignal?.aborted) throw new RelayError(499, 'Client closed the request.', 'invalid_request_error', 'client_closed');
    // Not the reason itself: it names the channel's addresses, and the client is not its admin.
    if (err instanceof UpstreamBlockedError) {
      throw new RelayError(502, 'The upstream\'s address is refused by the gateway\'s address policy (link-local or cloud-metadata, or the name does not resolve).', 'upstream_error', 'upstream_blocked');
    }
    throw new RelayError(502, `Upstream connection failed: ${(err as Error).message}`, 'upstream_error', 'upstream_unreachable');
  } finally {
    clearTimeout(timer);
  }
}

/** Map an upstream HTTP error to what the client sees, keeping the upstream's message. */
export function upstreamError(status: number, message: string): RelayError {
  if (status === 429) return new RelayError(429, message, 'rate_limit_error', 'upstream_rate_limited');
  if (status === 400 || status === 404 || status === 413 || status === 422) return new RelayError(status, message, 'invalid_request_error', 'upstream_rejected');
  if (status === 503) return new RelayError(503, message, 'upstream_error', 'upstream_unavailable');
  if (status === 504 || status === 408) return new RelayError(504, message, 'timeout_error', 'upstream_timeout');
  // 401/403 from upstream are the channel's credentials, not the client's: a gateway fault.
  return new RelayError(502, message, 'upstream_error', `upstream_${status}`);
}

/** Pull a readable message out of an upstream error body (OpenAI shape or anything else). */
export function upstreamMessage(status: number, body: string): string {
  try {
    const j = JSON.parse(body) as { error?: { message?: string } | string; message?: string };
    const m = typeof j.error === 'string' ? j.error : j.error?.message ?? j.message;
    if (m) return `Upstream error ${status}: ${m}`;
  } catch {}
  const text = body.trim().slice(0, 500);
  return text ? `Upstream error ${status}: ${text}` : `Upstream error ${status}.`;
}

/**
 * What a failed upstream answer means for routing:
 * - `rate_limit`: this key is throttled; cool it and try another key.
 * - `key_invalid`: this key will not work again (bad key, deactivated account, no balance
 *   or quota on the vendor's side); disable it and try another key.
 * - `server`: the channel is failing (5xx, 408, other 403s); try another channel.
 * - `client`: the request itself was refused (400, 404, 413, 422, …); never retried.
 */
export type FailureKind = 'rate_limit' | 'key_invalid' | 'server' | 'client';

const KEY_INVALID = /invalid[_ ]api[_ ]?key|incorrect api key|api key not valid|api_key_invalid|invalid x-api-key|authentication_error|unauthori[sz]ed|account[_ ](is )?(deactivated|suspended|disabled)|deactivated|suspended|insufficient[_ ](quota|balance|user_quota)|exceeded your current quota|quota exceeded|balance is (not enough|insufficient)|arrearage|billing_not_active|credit balance is too low|no credits|余额不足|欠费/i;

export function classifyFailure(status: number, body: string): FailureKind {
  if (status === 401 || status === 402) return 'key_invalid';
  if (status === 429) return KEY_INVALID.test(body) ? 'key_invalid' : 'rate_limit';
  if (status === 403) return KEY_INVALID.test(body) ? 'key_invalid' : 'server';
  if (status === 408 || status >= 500) return 'server';
  // Some vendors (Gemini) answer a bad key with 400.
  if (status === 400 && /api[_ ]key[_ ]invalid|api key not valid|invalid[_ ]api[_ ]key/i.test(body)) return 'key_invalid';
  return 'client';
}

/** Retry-After (seconds or an HTTP date) or retry-after-ms, in ms; null when absent or unreadable. */
export function retryAfterMs(headers: Headers, now = Date.now()): number | null {
  const ms = Number(headers.get('retry-after-ms'));
  if (headers.has('retry-after-ms') && Number.isFinite(ms) && ms >= 0) return ms;
  const v = headers.get('retry-after')?.trim();
  if (!v) return null;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isFinite(at) ? Math.max(0, at - now) : null;
}
