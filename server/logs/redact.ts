// Secrets never reach stored bodies: credential headers, JSON fields named like keys or
// passwords, bearer tokens and key-shaped strings (`sk-…`, `sbp_…`) are replaced.
const REDACTED = '[redacted]';

const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'x-api-key', 'api-key', 'x-goog-api-key', 'cookie', 'set-cookie']);

/** `"api_key": "…"`, `"Authorization":"…"`, `"client_secret": "…"`, … (string values only). */
const SECRET_FIELD = /("[^"\\]*(?:api[_-]?key|secret|password|passwd|authorization|access[_-]?token|refresh[_-]?token|private[_-]?key|credential)[^"\\]*"\s*:\s*)"(?:[^"\\]|\\.)*"/gi;
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{4,}/g;
/** OpenAI/Anthropic-style `sk-…`, our personal access tokens `sbp_…`, AWS access key ids. */
const KEY_SHAPED = /\b(?:sk|sbp|rk|pk)[-_][A-Za-z0-9_-]{4,}|\bAKIA[0-9A-Z]{12,}/g;

export function redactText(text: string): string {
  return text.replace(SECRET_FIELD, `$1"${REDACTED}"`).replace(BEARER, `$1 ${REDACTED}`).replace(KEY_SHAPED, REDACTED);
}

/** Request headers worth keeping for debugging, with credentials masked. */
export function redactHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    out[name] = SECRET_HEADERS.has(name) ? REDACTED : redactText(value);
  });
  return out;
}
