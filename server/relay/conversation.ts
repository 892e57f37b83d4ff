// Which conversation a call belongs to, for cache affinity (server/routing/affinity.ts).
// In order: what the client says — OpenAI `prompt_cache_key` (Codex CLI sends its
// conversation id there and in the `session_id` / `conversation_id` headers), Anthropic
// `metadata.user_id` (Claude Code puts its session id in it), a session header, the OpenAI
// `user` — else a hash of the stable prefix: system prompt, the first non-system message
// and the tool names, but only for a prompt big enough to be cached upstream (OpenAI and
// Anthropic cache from 1,024 tokens; about 4 KiB of body), so small calls keep spreading by
// weight. The prefix is read from the body already parsed, never re-serialised:
// string leaves are walked with a byte budget (long texts contribute their head, tail and
// length) and hashed once.

/** Session headers coding agents send (Codex CLI: `session_id`, `conversation_id`). */
const SESSION_HEADERS = ['session_id', 'conversation_id', 'x-session-id'] as const;
/** Budget of characters taken from each part of the prefix. */
const PART_BUDGET = 4096;
/** Bodies smaller than this carry no prompt an upstream would cache (~1,024 tokens). */
export const MIN_CACHEABLE_BYTES = 4096;
/** An explicit id longer than this is hashed rather than kept. */
const MAX_ID = 200;

const explicit = (kind: string, v: unknown): string | null =>
  typeof v === 'string' && v.length > 0 ? `${kind}:${v.length > MAX_ID ? Bun.hash.wyhash(v).toString(36) : v}` : null;

/** The conversation id of a parsed request body (any inbound protocol), or null when it carries nothing to go by. */
export function conversationOf(body: Record<string, unknown>, headers: Headers, bodyBytes: number): string | null {
  const id = explicit('pck', body.prompt_cache_key)
    ?? explicit('meta', (body.metadata as { user_id?: unknown } | null | undefined)?.user_id)
    ?? sessionHeader(headers)
    ?? explicit('user', body.user);
  return id ?? (bodyBytes >= MIN_CACHEABLE_BYTES ? prefixHash(body) : null);
}

function sessionHeader(headers: Headers): string | null {
  for (const h of SESSION_HEADERS) {
    const v = headers.get(h);
    if (v) return explicit('session', v);
  }
  return null;
}

/**
 * Hash of the stable prefix: system (Anthropic `system`, Responses `instructions`, Gemini
 * `systemInstruction`, chat's leading system/developer messages), the first other message,
 * and the tool names. Null when there is no message to go by.
 */
export function prefixHash(body: Record<string, unknown>): string | null {
  const parts: string[] = [];
  const sys = body.system ?? body.instructions ?? body.systemInstruction ?? body.system_instruction;
  if (sys !== undefined) parts.push(textOf(sys));
  const list = Array.isArray(body.messages) ? body.messages : Array.isArray(body.contents) ? body.contents : Array.isArray(body.input) ? body.input : null;
  let first: unknown = undefined;
  if (list) {
    const leading: string[] = [];
    for (const m of list) {
      const role = (m as { role?: unknown } | null)?.role;
      if (role === 'system' || role === 'developer') {
        leading.push(textOf(m));
        continue;
      }
      first = m;
      break;
    }
    if (leading.length) parts.push(leading.join('\u0001'));
  } else if (typeof body.input === 'string' || typeof body.prompt === 'string') {
    first = body.input ?? body.prompt;
  }
  if (first === undefined) return null;
  parts.push(textOf(first));
  if (Array.isArray(body.tools)) parts.push(toolNames(body.tools));
  return `prefix:${Bun.hash.wyhash(parts.join('\u0000')).toString(36)}`;
}

function toolNames(tools: unknown[]): string {
  let out = '';
  for (const t of tools) {
    const o = t as { name?: unknown; function?: { name?: unknown }; type?: unknown } | null;
    const name = o?.name ?? o?.function?.name ?? o?.type;
    if (typeof name === 'string') out += name + ',';
    if (out.length > PART_BUDGET) break;
  }
  return out;
}

/** The string leaves of a value, in order, within the budget: a long string gives its head, tail and length. */
function textOf(v: unknown): string {
  const acc = { out: '', left: PART_BUDGET };
  walk(v, acc, 0);
  return acc.out;
}

function walk(v: unknown, acc: { out: string; left: number }, depth: number): void {
  if (acc.left <= 0 || depth > 8) return;
  if (typeof v === 'string') {
    const piece = v.length <= acc.left ? v : `${v.slice(0, acc.left >> 1)}…${v.length}…${v.slice(v.length - (acc.left >> 1))}`;
    acc.out += piece + '\u0002';
    acc.left -= piece.length;
  } else if (Array.isArray(v)) {
    for (const x of v) {
      walk(x, acc, depth + 1);
      if (acc.left <= 0) return;
    }
  } else if (v !== null && typeof v === 'object') {
    for (const k in v as Record<string, unknown>) {
      // Cache markers move from turn to turn; they are not part of the conversation.
      if (k === 'cache_control') continue;
      walk((v as Record<string, unknown>)[k], acc, depth + 1);
      if (acc.left <= 0) return;
    }
  }
}
