// Gemini finishReason → OpenAI finish_reason. Every safety-style stop becomes
// content_filter so clients can tell a blocked answer from a finished one.
const FILTERED = new Set(['SAFETY', 'RECITATION', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII', 'IMAGE_SAFETY', 'IMAGE_PROHIBITED_CONTENT', 'IMAGE_RECITATION', 'LANGUAGE']);

export function finishReasonToChat(reason: unknown, sawToolCall: boolean): string | null {
  if (typeof reason !== 'string' || reason === '' || reason === 'FINISH_REASON_UNSPECIFIED') return null;
  if (FILTERED.has(reason)) return 'content_filter';
  if (reason === 'MAX_TOKENS') return 'length';
  return sawToolCall ? 'tool_calls' : 'stop';
}
