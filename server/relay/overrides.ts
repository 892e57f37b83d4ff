// Per-channel overrides of chat requests: a forced system prompt and parameter
// overrides. `param_override` is `{ rename?: {from: to}, remove?: [names], set?: {name: value} }`,
// applied in that order, e.g. `{ "rename": { "max_tokens": "max_completion_tokens" } }`.
import * as v from 'valibot';
import type { ChatRequest } from './protocols/openai/types.ts';
import type { ChannelEntry } from '../state/types.ts';

export const ParamOverrideSchema = v.strictObject({
  rename: v.optional(v.record(v.string(), v.pipe(v.string(), v.nonEmpty()))),
  remove: v.optional(v.array(v.string())),
  set: v.optional(v.record(v.string(), v.unknown())),
});

export type ParamOverride = v.InferOutput<typeof ParamOverrideSchema>;

const PROTECTED = new Set(['model', 'messages', 'stream']);

export function hasChatOverrides(channel: ChannelEntry): boolean {
  if (channel.systemPrompt) return true;
  for (const _ in channel.paramOverride) return true;
  return false;
}

/** The request as this channel must receive it; the same object when nothing applies. */
export function applyChatOverrides(channel: ChannelEntry, body: ChatRequest): ChatRequest {
  if (!hasChatOverrides(channel)) return body;
  const out: Record<string, unknown> = { ...body };
  const o = channel.paramOverride as ParamOverride;
  for (const [from, to] of Object.entries(o.rename ?? {})) {
    if (from in out && !PROTECTED.has(from) && !PROTECTED.has(to)) {
      if (out[from] !== undefined) out[to] = out[from];
      delete out[from];
    }
  }
  for (const name of o.remove ?? []) if (!PROTECTED.has(name)) delete out[name];
  for (const [name, value] of Object.entries(o.set ?? {})) if (!PROTECTED.has(name)) out[name] = value;
  if (channel.systemPrompt) out.messages = [{ role: 'system', content: channel.systemPrompt }, ...body.messages];
  return out as unknown as ChatRequest;
}
