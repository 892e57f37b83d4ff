// Masks secrets before anything reaches the audit log: values under secret-sounding names
// (keys, passwords, tokens, upstream credentials), strings that look like our own or vendors'
// bearer secrets, and the password inside DSNs and URLs. Also makes values JSON-safe for
// jsonb: bigint and Date become strings, and every string (keys too) loses NUL and lone
// surrogates, which jsonb refuses (so the audit row would be lost).
export const MASK = '[masked]';

const UNSAFE_TEXT = /[\u0000\ud800-\udfff]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Text Postgres can store in text and jsonb: NUL removed, lone surrogates replaced by U+FFFD. */
export function safeText(s: string): string {
  if (!UNSAFE_TEXT.test(s)) return s;
  return s.replaceAll('\u0000', '').replace(LONE_SURROGATE, '\ufffd');
}

const SECRET_WORDS = new Set([
  'key', 'keys', 'password', 'passwd', 'pwd', 'secret', 'token', 'hash', 'sk', 'ak', 'adc', 'credential', 'credentials',
  'authorization', 'cookie', 'private', 'code',
]);
/** A last word that makes the field a harmless description of a secret, not the secret. */
const SAFE_LAST = new Set(['id', 'ids', 'hint', 'hints', 'count', 'prefix', 'name', 'names', 'at', 'type', 'kind', 'status', 'reason', 'limit', 'tokens']);
const URL_NAMES = new Set(['dsn', 'url', 'database_url', 'base_url']);
// Whole secrets, anywhere in a string; hints (`sk-abcd…wxyz`) are too short to match.
const SECRET_VALUE = /(sk-|sbp_|sbs_|sb-admin-)[A-Za-z0-9_-]{12,}|AKIA[A-Z0-9]{12,}|AIza[\w-]{20,}|-----BEGIN [A-Z ]*PRIVATE KEY-----/;

function words(name: string): string[] {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
}

export function isSecretName(name: string): boolean {
  const w = words(name);
  if (!w.length || SAFE_LAST.has(w.at(-1)!)) return false;
  return w.some((x) => SECRET_WORDS.has(x));
}

/**
 * `scheme://user:pass@host`, `user:pass@tcp(host)` → password replaced. A password may itself
 * hold `@` (and `/`): it ends at the last `@` before the address (`@tcp(`, `@unix(`), else at the
 * last `@` before the query string, as Go's MySQL driver and URL parsers read it.
 */
function maskUserinfo(s: string): string {
  const m = /^((?:[a-z][a-z0-9+.-]*:\/\/)?[^:/@\s]*):/i.exec(s);
  if (!m) return s;
  const rest = s.slice(m[0].length);
  let end = -1;
  for (const hit of rest.matchAll(/@(?:tcp|unix)\(/gi)) end = hit.index;
  if (end < 0) {
    const q = rest.indexOf('?');
    end = rest.lastIndexOf('@', q < 0 ? rest.length : q);
  }
  return end < 0 ? s : `${m[1]}:${MASK}${rest.slice(end)}`;
}

export function maskSecrets(value: unknown, name = ''): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (name && isSecretName(name)) return MASK;
  if (typeof value === 'string') {
    const s = safeText(value);
    if (SECRET_VALUE.test(s)) return MASK;
    return name && URL_NAMES.has(words(name).join('_')) ? maskUserinfo(s) : s;
  }
  if (Array.isArray(value)) return value.map((v) => maskSecrets(v));
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    // Keys are cleaned before the secret-name test, so a NUL cannot split "pass\0word".
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue;
      const key = safeText(k);
      out[key] = maskSecrets(v, key);
    }
    return out;
  }
  return safeText(String(value));
}
