// Reading OpenAI message content, which is either a string or an array of parts.
import type { ChatContentPart, ChatMessage } from '../openai/types.ts';

export function contentParts(content: ChatMessage['content']): ChatContentPart[] {
  if (content == null) return [];
  if (typeof content === 'string') return content ? [{ type: 'text', text: content }] : [];
  return content;
}

/** Concatenated text of a message, ignoring non-text parts. */
export function contentText(content: ChatMessage['content']): string {
  if (typeof content === 'string') return content;
  return contentParts(content)
    .map((p) => (p.type === 'text' && typeof p.text === 'string' ? p.text : ''))
    .join('');
}

export function isSystemRole(role: ChatMessage['role']): boolean {
  return role === 'system' || role === 'developer';
}

/** Image URL of an `image_url` part, whichever shape the client used. */
export function imageUrlOf(part: ChatContentPart): string | undefined {
  if (part.type !== 'image_url') return undefined;
  const v = (part as { image_url?: unknown }).image_url;
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as { url?: unknown }).url === 'string') return (v as { url: string }).url;
  return undefined;
}

/**
 * Chat messages → alternating user/assistant turns, as Anthropic and Bedrock want them:
 * system messages dropped (they travel separately), tool results sent as user turns, and
 * consecutive turns of one role merged (all tool results of a turn in one message).
 */
export function toAlternatingTurns<B>(
  messages: ChatMessage[],
  blocks: { assistant(m: ChatMessage): B[]; toolResult(m: ChatMessage): B; user(m: ChatMessage): B[] },
): Array<{ role: 'user' | 'assistant'; content: B[] }> {
  const out: Array<{ role: 'user' | 'assistant'; content: B[] }> = [];
  for (const m of messages) {
    if (isSystemRole(m.role)) continue;
    const role = m.role === 'assistant' ? 'assistant' : 'user';
    const content = role === 'assistant' ? blocks.assistant(m) : m.role === 'tool' || m.role === 'function' ? [blocks.toolResult(m)] : blocks.user(m);
    if (content.length === 0) continue;
    const last = out[out.length - 1];
    if (last && last.role === role) last.content.push(...content);
    else out.push({ role, content });
  }
  return out;
}
