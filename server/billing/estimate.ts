// Local token counts for calls whose upstream reports no usage (the log row is then
// marked "estimated") and for the worst-case reservation before a call.
import type { ChatChunk, ChatMessage, ChatRequest, ChatResponse, MeteredUsage, ToolCallDelta } from '../relay/protocols/openai/types.ts';
import { countTokens } from '../util/tokenizer.ts';

/** Fixed allowance per image part; vendors bill images by tiles, this is a reservation bound. */
const IMAGE_TOKENS = 1_000;
const PER_MESSAGE = 4;

function textOf(content: ChatMessage['content']): { text: string; images: number } {
  if (typeof content === 'string') return { text: content, images: 0 };
  if (!Array.isArray(content)) return { text: '', images: 0 };
  let text = '';
  let images = 0;
  for (const part of content) {
    if (part.type === 'text' && typeof (part as { text?: unknown }).text === 'string') text += (part as { text: string }).text;
    else if (part.type === 'image_url' || part.type === 'input_audio') images++;
  }
  return { text, images };
}

/** Quick upper-ish estimate for reservations: no tokenizer on the hot path. */
export function roughPromptTokens(req: ChatRequest): number {
  let chars = 0;
  let extra = 0;
  for (const m of req.messages) {
    const { text, images } = textOf(m.content);
    // ~1 token per 2 characters covers English (≈4 chars/token) and CJK (≈1 char/token) generously.
    chars += text.length;
    extra += PER_MESSAGE + images * IMAGE_TOKENS;
    if (m.tool_calls) chars += JSON.stringify(m.tool_calls).length;
  }
  if (req.tools) chars += JSON.stringify(req.tools).length;
  return Math.ceil(chars / 2) + extra;
}

export { countTokens };

/** Tokenizer count of a chat prompt, as OpenAI counts it (4 tokens of framing per message). */
export function promptTokens(req: ChatRequest): number {
  let n = 3;
  for (const m of req.messages) {
    const { text, images } = textOf(m.content);
    n += PER_MESSAGE + countTokens(text) + images * IMAGE_TOKENS;
    if (m.tool_calls) n += countTokens(JSON.stringify(m.tool_calls));
  }
  if (req.tools) n += countTokens(JSON.stringify(req.tools));
  return n;
}

/**
 * The one local estimate of a call whose upstream reported no usage: `prompt` tokens as
 * counted for the request, and the completion's text tokenized. Every relay path (JSON or
 * streamed, converted or passed through) builds its completion text with messageText, so a
 * tool-call answer is estimated the same however it was delivered.
 */
export function estimateUsage(prompt: number, completion: string): MeteredUsage {
  return { input: prompt, output: countTokens(completion), cacheRead: 0, cacheWrite: 0, cacheWrite1h: 0, reasoning: 0 };
}

/** estimateUsage for a chat request. */
export function estimateChatUsage(req: ChatRequest, completion: string): MeteredUsage {
  return estimateUsage(promptTokens(req), completion);
}

/** What a message or a stream delta generated: content, reasoning, and each tool call's name and arguments. */
export function messageText(m: { content?: unknown; reasoning_content?: unknown; tool_calls?: Array<ToolCallDelta | { function?: { name?: string; arguments?: string } }> | null } | null | undefined): string {
  if (!m) return '';
  let text = '';
  if (typeof m.content === 'string') text += m.content;
  if (typeof m.reasoning_content === 'string') text += m.reasoning_content;
  for (const t of m.tool_calls ?? []) text += (t.function?.name ?? '') + (t.function?.arguments ?? '');
  return text;
}

/** Text of a whole chat answer, for estimateUsage. */
export function responseText(res: ChatResponse): string {
  let text = '';
  for (const c of res.choices) text += messageText(c.message);
  return text;
}

/** Text a stream delivered, for estimateUsage. */
export function chunkText(chunks: ChatChunk[]): string {
  let text = '';
  for (const c of chunks) for (const ch of c.choices) text += messageText(ch.delta);
  return text;
}
