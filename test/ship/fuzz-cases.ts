// Deterministic hostile HTTP requests for the fuzz test: a seeded PRNG picks an endpoint and
// a way to break its input (malformed JSON, wrong types, huge numbers, deep nesting, invalid
// UTF-8, oversize bodies, odd headers, random methods and paths). Same seed, same cases.
import { mulberry32 } from '../helpers/prng.ts';

export interface FuzzCase {
  kind: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Uint8Array | string;
}

/** Seeded case picking (mulberry32): deterministic for a seed. */
export function prng(seed: number) {
  const next = mulberry32(seed);
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  return { next, int, pick };
}
type Rng = ReturnType<typeof prng>;

/** A plausible body per public JSON endpoint, the starting point for mutations. */
export const ENDPOINTS: Record<string, (model: string) => Record<string, unknown>> = {
  '/v1/chat/completions': (model) => ({ model, messages: [{ role: 'user', content: 'hi' }], max_tokens: 5 }),
  '/v1/completions': (model) => ({ model, prompt: 'hi', max_tokens: 5 }),
  '/v1/embeddings': (model) => ({ model, input: ['a', 'b'] }),
  '/v1/messages': (model) => ({ model, max_tokens: 5, messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] }),
  '/v1/messages/count_tokens': (model) => ({ model, messages: [{ role: 'user', content: 'hi' }] }),
  '/v1/responses': (model) => ({ model, input: [{ role: 'user', content: [{ type: 'input_text', text: 'hi' }] }] }),
  '/v1beta/models/gpt-4o-mini:generateContent': () => ({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }], generationConfig: { maxOutputTokens: 5 } }),
  '/v1/images/generations': (model) => ({ model, prompt: 'a cat', n: 1, size: '256x256' }),
  '/v1/audio/speech': (model) => ({ model, input: 'hi', voice: 'alloy' }),
  '/v1/moderations': (model) => ({ model, input: 'hi' }),
  '/v1/rerank': (model) => ({ model, query: 'q', documents: ['a', 'b'] }),
  '/api/redeem': () => ({ code: '0123456789abcdef0123456789abcdef' }),
  // A channel that does not exist: the input is validated, but no case grows the channel
  // table (each new channel reloads every instance's caches, which would skew the timings).
  '/trpc/channels.update': () => ({ json: { id: 999_999, name: 'x', type: 1, baseUrl: 'http://127.0.0.1:1', models: ['m'] } }),
  '/trpc/users.create': () => ({ json: { username: 'fuzz', balanceUsd: '1' } }),
};
const GET_PATHS = ['/v1/models', '/v1/models/gpt-4o-mini', '/api/status', '/healthz', '/metrics', '/trpc/channels.list', '/trpc/users.list', '/trpc/logs.list'];

const WEIRD_VALUES: unknown[] = [
  null, true, false, 0, -1, 1.5, -0, 1e308, -1e308, 2 ** 53 + 1, Number.MAX_SAFE_INTEGER, '', ' ', 'x'.repeat(5000),
  '\u0000', '\ud800', '💥', [], [null], [[[]]], {}, { a: { b: { c: {} } } }, '1e999', 'NaN', 'Infinity', '-0', '__proto__',
  { __proto__: { polluted: true } }, { constructor: { prototype: { x: 1 } } }, ['user', 'assistant'], 'gpt-4o-mini',
];
// Literal number text JSON.stringify can't produce.
const HUGE_NUMBERS = ['1e999', '-1e999', '123456789012345678901234567890', '0.0000000000000000000000000001', '1e-400', '-0', '9'.repeat(400), '1E+308', '18446744073709551616'];

const enc = new TextEncoder();
const json = (v: unknown) => JSON.stringify(v);

/** Set a random key somewhere inside `obj` (walking at most a few levels) to `value`. */
function mutate(r: Rng, obj: unknown, value: unknown, depth = 0): unknown {
  if (obj === null || typeof obj !== 'object' || depth > 3 || r.next() < 0.3) return value;
  const clone: any = Array.isArray(obj) ? [...obj] : { ...(obj as object) };
  const keys = Object.keys(clone);
  const k = keys.length && r.next() < 0.85 ? r.pick(keys) : r.pick(['extra', 'stream', 'n', 'tools', 'messages', 'max_tokens', 'temperature']);
  clone[k] = mutate(r, clone[k], value, depth + 1);
  return clone;
}

function nested(r: Rng): string {
  const depth = r.pick([100, 1_000, 10_000, 100_000]);
  if (r.next() < 0.5) return `${'['.repeat(depth)}${']'.repeat(depth)}`;
  // Deep nesting in a field the gateway looks at.
  return `{"model":"gpt-4o-mini","messages":[{"role":"user","content":${'['.repeat(depth)}${']'.repeat(depth)}}]}`;
}

function malformed(r: Rng, valid: string): string | Uint8Array {
  switch (r.int(8)) {
    case 0: return valid.slice(0, r.int(valid.length));
    case 1: return valid.replace(/}$/, ',}');
    case 2: return valid.replace(/"/g, "'");
    case 3: return valid + r.pick(['}', ']', 'garbage', '\u0000', '{}']);
    case 4: return r.pick(['', ' ', 'null', '[]', '"str"', '42', 'true', '{', '}', '{"a":', '{"a" 1}', 'undefined', 'NaN', '{"model":}']);
    case 5: return Uint8Array.from({ length: 1 + r.int(256) }, () => r.int(256));
    case 6: return valid.replace(/"hi"/, '"hi\\ud800"').replace(/"a"/, '"\\uZZZZ"');
    default: return valid.replace(/:/, '::');
  }
}

/** Valid JSON text with bytes that are not UTF-8 spliced into a string value. */
function invalidUtf8(r: Rng, valid: string): Uint8Array {
  const bytes = enc.encode(valid);
  const bad = r.pick([[0xff], [0xfe, 0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82]]);
  const at = bytes.indexOf(0x22, 2); // inside the first string, after its opening quote
  const pos = at > 0 ? at + 1 : bytes.length;
  const out = new Uint8Array(bytes.length + bad.length);
  out.set(bytes.subarray(0, pos));
  out.set(bad, pos);
  out.set(bytes.subarray(pos), pos + bad.length);
  return out;
}

function headersFor(r: Rng, path: string, key: string, adminKey: string): Record<string, string> {
  const auth = path.startsWith('/trpc') || path === '/metrics' ? adminKey : key;
  const h: Record<string, string> = { 'content-type': 'application/json' };
  switch (r.int(10)) {
    case 0: break; // no credentials
    case 1: h.authorization = r.pick(['Bearer', 'Bearer ', 'Basic Zm9vOmJhcg==', `Bearer ${'A'.repeat(8000)}`, 'Bearer sk-\u00e9', `Bearer ${auth} extra`, 'bearer']); break;
    case 2: h['x-api-key'] = auth; break;
    case 3: h['x-goog-api-key'] = auth; break;
    default: h.authorization = `Bearer ${auth}`;
  }
  if (r.next() < 0.15) h['content-type'] = r.pick(['text/plain', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', 'application/json; charset=utf-16', '']);
  if (r.next() < 0.1) h['x-forwarded-for'] = r.pick(['1.2.3.4, 5.6.7.8', 'not-an-ip', '::1', '999.999.999.999', 'x'.repeat(2000)]);
  if (r.next() < 0.05) h['anthropic-version'] = r.pick(['', '1999-01-01', 'x'.repeat(300)]);
  return h;
}

function randomPath(r: Rng): string {
  const bases = ['/v1', '/v1beta/models', '/trpc', '/api', '/live', '/', '/v2', '/.env', '/v1/../admin', '/%2e%2e/%2e%2e/etc/passwd'];
  const tails = ['', '/x', '/chat/completions/extra', '/%00', '/%ff%fe', `/${'a'.repeat(r.pick([10, 4000]))}`, '/models/%E2%82%AC', '/models/a%2Fb', '/models/:generateContent', '/trpc.x?batch=1&input=%7B', '?'.repeat(5)];
  return r.pick(bases) + r.pick(tails);
}

/** `count` cases from `seed`; `key` is a working API key so most cases get past auth. */
export function generateCases(count: number, seed: number, opts: { key: string; adminKey: string; maxBodyBytes: number }): FuzzCase[] {
  const r = prng(seed);
  const endpoints = Object.keys(ENDPOINTS);
  const cases: FuzzCase[] = [];
  for (let i = 0; i < count; i++) {
    const roll = r.next();
    if (roll < 0.08) {
      const path = r.pick(GET_PATHS) + r.pick(['', '', '?input=%7B%7D', '?batch=1&input=' + encodeURIComponent('{"0":{"json":' + '['.repeat(500) + ']'.repeat(500) + '}}'), '?input=not-json', '?x=' + '%'.repeat(5)]);
      cases.push({ kind: 'get', method: 'GET', path, headers: headersFor(r, path, opts.key, opts.adminKey) });
      continue;
    }
    if (roll < 0.14) {
      const path = randomPath(r);
      const method = r.pick(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'PROPFIND', 'TRACE']);
      const body = method === 'GET' || method === 'HEAD' ? undefined : r.pick(['', '{}', 'x']);
      cases.push({ kind: 'random-route', method, path, headers: headersFor(r, path, opts.key, opts.adminKey), body });
      continue;
    }
    const path = r.pick(endpoints);
    const base = ENDPOINTS[path]!(r.pick(['gpt-4o-mini', 'gpt-4o-mini', 'unknown-model', '', 'gpt-4o-mini\u0000', 'x'.repeat(300)]));
    const valid = json(base);
    const headers = headersFor(r, path, opts.key, opts.adminKey);
    const pickMethod = () => (r.next() < 0.05 ? r.pick(['PUT', 'DELETE', 'PATCH', 'GET']) : 'POST');
    const k = r.int(100);
    let kind: string;
    let body: string | Uint8Array;
    if (k < 25) { kind = 'malformed-json'; body = malformed(r, valid); }
    else if (k < 55) { kind = 'wrong-type'; body = json(mutate(r, base, r.pick(WEIRD_VALUES))); }
    else if (k < 68) { kind = 'huge-number'; body = json(mutate(r, base, 0)).replace(/(":)0([,}\]])/, `$1${r.pick(HUGE_NUMBERS)}$2`); }
    else if (k < 76) { kind = 'deep-nesting'; body = nested(r); }
    else if (k < 86) { kind = 'invalid-utf8'; body = invalidUtf8(r, valid); }
    else if (k < 89) { kind = 'oversize'; body = `{"model":"gpt-4o-mini","pad":"${'x'.repeat(opts.maxBodyBytes + r.int(1024))}"}`; }
    else if (k < 93) { kind = 'stream'; body = json({ ...base, stream: r.pick([true, 'yes', 1, null]), stream_options: r.pick([{ include_usage: true }, 'x', []]) }); }
    else { kind = 'valid-shaped'; body = valid; }
    cases.push({ kind, method: pickMethod(), path, headers, body });
  }
  return cases;
}

/** Raw header-injection attempts fetch() refuses to send, for a plain TCP socket. */
export function injectionRequests(key: string): string[] {
  const body = json(ENDPOINTS['/v1/chat/completions']!('gpt-4o-mini'));
  const req = (headerLines: string[], path = '/v1/chat/completions') =>
    `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n${headerLines.join('\r\n')}\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`;
  return [
    req([`Authorization: Bearer ${key}\r\nX-Injected: 1`]),
    req([`Authorization: Bearer ${key}\nX-Injected: 1`]),
    req([`Authorization: Bearer ${key}\rX-Injected: 1`]),
    req([`Authorization: Bearer ${key}`, 'X-Bad\u0000Name: v']),
    req([`Authorization: Bearer ${key}`, 'Content-Length: 5']),
    req([`Authorization: Bearer ${key}`, 'Transfer-Encoding: chunked']),
    req([`Authorization: Bearer ${key}`, ' folded: header']),
    req([`Authorization: Bearer ${key}`, `X-Long: ${'a'.repeat(100_000)}`]),
    req([`Authorization: Bearer ${key}`], '/v1/chat/completions\r\nX-Injected: 1'),
    req([`Authorization: Bearer ${key}`], '/v1/chat/completions HTTP/1.1\r\nHost: evil'),
    `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX: ${'\u00ff'.repeat(10)}\r\nConnection: close\r\n\r\n`,
    'GARBAGE\r\n\r\n',
    `GET /${'a'.repeat(70_000)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
  ];
}
