// Redacts secrets from text that came from an upstream (error bodies, stream error events,
// connection errors) before it reaches a client, the server log, call logs, live events or
// CSV exports. Upstreams do quote what they were sent: "Invalid header Authorization: Bearer
// sk-…", a proxy echoing the request. The list holds every upstream key of every channel (and
// each part of a composite key such as Bedrock's `AK|SK|region` or a Vertex service account's
// private key), the gateway's own secrets, and, per call, the credentials actually sent (a
// derived OAuth token or JWT). Rebuilt on every store reload; scrubbing runs on error paths
// only, never per streamed byte.
import type { Config } from '../config.ts';
import type { Store } from './store.ts';

export const REDACTED = '[redacted]';
/** Shorter strings are not treated as secrets (they would redact ordinary words). */
const MIN_SECRET_LENGTH = 8;
/** Credentials quoted in HTTP form, whatever their value: `Bearer abc…`, `x-api-key: abc…`. */
const CREDENTIAL_FORMS = /\b(Bearer|Basic)(\s+)[A-Za-z0-9._~+/=-]{8,}|\b(x-api-key|api-key|x-goog-api-key|authorization)(["']?\s*[:=]\s*["']?)(?!Bearer\b|Basic\b)[A-Za-z0-9._~+/=-]{8,}/gi;
/** Headers that carry credentials on the way out. */
const CREDENTIAL_HEADERS = ['authorization', 'x-api-key', 'api-key', 'x-goog-api-key', 'proxy-authorization'];

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The secret strings inside one upstream key: the whole key and each part of a composite. */
export function secretsOfKey(key: string): string[] {
  const out = [key];
  const trimmed = key.trim();
  if (trimmed.startsWith('{')) {
    try {
      const j = JSON.parse(trimmed) as Record<string, unknown>;
      for (const [name, value] of Object.entries(j)) {
        if (typeof value !== 'string' || !/key|secret|token|password/i.test(name)) continue;
        out.push(value);
        // A PEM's body lines, in case an error quotes a fragment.
        if (value.includes('-----BEGIN')) out.push(...value.split(/\\n|\n/).filter((l) => l.length >= 40 && !l.startsWith('-----')));
      }
    } catch {}
  } else {
    // Parts of `AK|SK|region`: ids and secrets are long, regions and flags are not.
    out.push(...trimmed.split(/[|\n]/).map((s) => s.trim()).filter((s) => s.length >= 12));
  }
  return out;
}

/** Credentials in an outgoing request: header values (without their scheme) and `?key=`. */
export function credentialsOf(req: { url: string; headers?: HeadersInit }): string[] {
  const out: string[] = [];
  const headers = new Headers(req.headers);
  for (const name of CREDENTIAL_HEADERS) {
    const value = headers.get(name);
    if (value) out.push(value, value.replace(/^(Bearer|Basic)\s+/i, ''));
  }
  try {
    const url = new URL(req.url);
    for (const name of ['key', 'api_key', 'access_token']) {
      const v = url.searchParams.get(name);
      if (v) out.push(v);
    }
  } catch {}
  return out;
}

function passwordOf(url: string | undefined): string | null {
  if (!url) return null;
  try {
    return decodeURIComponent(new URL(url).password) || null;
  } catch {
    return null;
  }
}

export class SecretScrubber {
  private pattern: RegExp | null = null;
  private configured: string[] = [];

  /** The gateway's own secrets (always redacted): ADMIN_KEY, SWITCHBOARD_SECRET, DB/Redis passwords. */
  configure(config: Pick<Config, 'adminKey' | 'secret' | 'databaseUrl' | 'redisUrl' | 'adminPassword'>): this {
    this.configured = [config.adminKey, config.secret, config.adminPassword, passwordOf(config.databaseUrl), passwordOf(config.redisUrl)]
      .filter((s): s is string => !!s);
    return this;
  }

  /** Rebuild the list from every channel's key pool (call after each store reload). */
  updateFrom(store: Pick<Store, 'channels'>): void {
    const all: string[] = [...this.configured];
    for (const channel of store.channels()) {
      for (const k of channel.keys) all.push(...secretsOfKey(k.key));
    }
    this.pattern = compile(all);
  }

  /** `text` with every known secret, the `extra` ones and quoted credentials replaced by [redacted]. */
  scrub(text: string, extra?: readonly string[]): string {
    if (!text) return text;
    let out = text;
    if (extra?.length) {
      const p = compile(extra);
      if (p) out = out.replace(p, REDACTED);
    }
    if (this.pattern) out = out.replace(this.pattern, REDACTED);
    return out.replace(CREDENTIAL_FORMS, (_m, scheme: string | undefined, space: string | undefined, header: string | undefined, sep: string | undefined) =>
      scheme ? `${scheme}${space}${REDACTED}` : `${header}${sep}${REDACTED}`);
  }

  /** The same error with a scrubbed message (the same object when nothing changed). */
  scrubError<E extends Error>(err: E, extra?: readonly string[]): E {
    const message = this.scrub(err.message, extra);
    if (message === err.message) return err;
    const copy = Object.create(Object.getPrototypeOf(err)) as E;
    Object.assign(copy, err);
    Object.defineProperty(copy, 'message', { value: message, writable: true, configurable: true });
    return copy;
  }
}

function compile(secrets: readonly string[]): RegExp | null {
  const forms = secrets.filter((s) => s.length >= MIN_SECRET_LENGTH).flatMap((s) => {
    // As a URL or JSON string would quote it, too.
    const encoded = encodeURIComponent(s);
    const json = JSON.stringify(s).slice(1, -1);
    return [s, ...(encoded !== s ? [encoded] : []), ...(json !== s ? [json] : [])];
  });
  const unique = [...new Set(forms)];
  if (!unique.length) return null;
  // Longest first, so a composite key is redacted whole before its parts.
  unique.sort((a, b) => b.length - a.length);
  return new RegExp(unique.map(escape).join('|'), 'g');
}
