// Local token counts for calls whose upstream reports no usage (the log row is then
// marked "estimated") and for the worst-case reservation before a call.
import type { ChatMessage, ChatRequest } from '../relay/protocol/openai-types.ts';

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

// The o200k encoding costs ~60 MB resident; it loads on the first count (a call whose
// upstream reported no usage, count_tokens, …), not at start. `require` keeps counting
// synchronous and, with a literal name, is bundled into the single executable.
let encoder: ((text: string) => number) | null = null;

export function countTokens(text: string): number {
  if (!text) return 0;
  encoder ??= (require('gpt-tokenizer') as typeof import('gpt-tokenizer')).countTokens;
  return encoder(text);
}

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
