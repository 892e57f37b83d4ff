// Masks secrets before anything reaches the audit log: values under secret-sounding names
// (keys, passwords, tokens, upstream credentials), strings that look like our own or vendors'
// bearer secrets, and the password inside DSNs and URLs. Also makes values JSON-safe (bigint,
// Date) for jsonb.
export const MASK = '[masked]';

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

/** `scheme://user:pass@host`, `user:pass@tcp(host)` → password replaced. */
function maskUserinfo(s: string): string {
  return s.replace(/^((?:[a-z][a-z0-9+.-]*:\/\/)?[^:/@\s]*):[^@\s]*@/i, `$1:${MASK}@`);
}

export function maskSecrets(value: unknown, name = ''): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (name && isSecretName(name)) return MASK;
  if (typeof value === 'string') {
    if (SECRET_VALUE.test(value)) return MASK;
    return name && URL_NAMES.has(words(name).join('_')) ? maskUserinfo(value) : value;
  }
  if (Array.isArray(value)) return value.map((v) => maskSecrets(v));
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = maskSecrets(v, k);
    return out;
  }
  return String(value);
}
