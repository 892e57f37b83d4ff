// The core hands converters the client-facing model name, which a model mapping may have
// renamed, so Vertex tells Claude from Gemini replies by their shape, not by the name.
import { streamToChat as anthropicStreamToChat } from '../../protocols/anthropic/stream-to-chat.ts';
import { streamToChat as geminiStreamToChat } from '../../protocols/gemini/stream-to-chat.ts';
import { asRecord, tryParse } from '../../protocols/shared/json.ts';
import type { ChatStreamConverter, SseEvent } from '../types.ts';
import { isClaude } from './url.ts';

export function isAnthropicBody(json: unknown): boolean {
  const b = asRecord(json);
  if (b.type === 'message' || (b.type === 'error' && !('code' in asRecord(b.error)))) return true;
  if ('candidates' in b || 'usageMetadata' in b || 'promptFeedback' in b) return false;
  return Array.isArray(b.content);
}

function isAnthropicEvent(ev: SseEvent): boolean {
  const type = asRecord(tryParse(ev.data)).type ?? ev.event;
  return typeof type === 'string' && /^(message_|content_block_|ping$|error$)/.test(type);
}

/** Picks the Anthropic or Gemini converter on the first event. */
export function vertexStream(model: string): ChatStreamConverter {
  let inner: ChatStreamConverter | null = null;
  const pick = (ev?: SseEvent) => (inner ??= (ev ? isAnthropicEvent(ev) : isClaude(model)) ? anthropicStreamToChat(model) : geminiStreamToChat(model));
  return {
    push: (ev) => pick(ev).push(ev),
    end: () => inner?.end() ?? [],
    usage: () => inner?.usage() ?? null,
  };
}
