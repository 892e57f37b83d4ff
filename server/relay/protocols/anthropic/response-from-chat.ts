// OpenAI chat completion → Anthropic Message, plus the stop-reason and usage mappings the
// stream converter shares.
import { meterOpenAIUsage, type ChatResponse, type Usage } from '../openai/types.ts';
import { bareId, parseArguments } from '../types.ts';
import type { MessagesRequest } from './schema.ts';

export type StopReason = 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'refusal';

/** OpenAI finish_reason → Anthropic stop_reason. A policy stop is what Anthropic calls `refusal`. */
export function stopReasonFromChat(finish: string | null | undefined): StopReason {
  switch (finish) {
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
    case 'function_call':
      return 'tool_use';
    case 'content_filter':
      return 'refusal';
    default:
      return 'end_turn';
  }
}

/**
 * Which stop sequence ended the answer. OpenAI chat says only "stop"; vLLM names the
 * matched string in `stop_reason`, SGLang in `matched_stop`. Otherwise, when the client
 * gave stop sequences and the model stopped without a tool call, the answer is taken to
 * have hit one: named when there is only one, or when the text ends with it (upstreams
 * that keep the sequence), else null (Anthropic's type allows it).
 */
export function stopSequenceOf(finish: string | null | undefined, reported: unknown, text: string, stops: string[] | undefined): { reason: 'stop_sequence'; sequence: string | null } | null {
  if (!stops?.length || (finish !== 'stop' && finish !== null && finish !== undefined)) return null;
  if (typeof reported === 'string' && stops.includes(reported)) return { reason: 'stop_sequence', sequence: reported };
  if (finish !== 'stop') return null;
  const tail = stops.find((s) => s && text.endsWith(s));
  if (tail) return { reason: 'stop_sequence', sequence: tail };
  return { reason: 'stop_sequence', sequence: stops.length === 1 ? stops[0]! : null };
}

/** The vendor-specific field naming the matched stop string, if any. */
export function reportedStop(choice: unknown): unknown {
  const c = choice as { stop_reason?: unknown; matched_stop?: unknown } | undefined;
  return c?.stop_reason ?? c?.matched_stop;
}

export interface AnthropicUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

/** Anthropic's input_tokens excludes cache reads and writes; OpenAI's prompt_tokens includes them. */
export function anthropicUsage(usage: Usage | null | undefined): AnthropicUsage {
  const m = meterOpenAIUsage(usage);
  return {
    input_tokens: m?.input ?? 0,
    output_tokens: m?.output ?? 0,
    cache_creation_input_tokens: m?.cacheWrite ?? 0,
    cache_read_input_tokens: m?.cacheRead ?? 0,
  };
}

export function messageId(chatId: string | undefined): string {
  return `msg_${bareId(chatId)}`;
}

export function responseFromChat(res: ChatResponse, req: Pick<MessagesRequest, 'model' | 'stop_sequences'>): unknown {
  const choice = res.choices[0];
  const message = choice?.message;
  const content: unknown[] = [];
  if (message?.reasoning_content) {
    // Not produced by Claude, so there is no signature to give; clients only display it.
    content.push({ type: 'thinking', thinking: message.reasoning_content, signature: '' });
  }
  const text = typeof message?.content === 'string' ? message.content : textOfParts(message?.content);
  if (text) content.push({ type: 'text', text });
  for (const call of message?.tool_calls ?? []) {
    content.push({ type: 'tool_use', id: call.id, name: call.function.name, input: parseArguments(call.function.arguments) });
  }
  const hasToolUse = content.some((block) => (block as { type: string }).type === 'tool_use');
  const matched = hasToolUse ? null : stopSequenceOf(choice?.finish_reason, reportedStop(choice), text, req.stop_sequences);
  return {
    id: messageId(res.id),
    type: 'message',
    role: 'assistant',
    // The name the client asked for, not the channel's mapped upstream name.
    model: req.model,
    content,
    // Some upstreams say "stop" even when they returned tool calls; the client must still run them.
    stop_reason: matched?.reason ?? (hasToolUse && choice?.finish_reason === 'stop' ? 'tool_use' : stopReasonFromChat(choice?.finish_reason)),
    stop_sequence: matched?.sequence ?? null,
    usage: anthropicUsage(res.usage),
  };
}

function textOfParts(parts: unknown): string {
  if (!Array.isArray(parts)) return '';
  return parts
    .map((p) => (p && typeof p === 'object' && (p as { type?: unknown }).type === 'text' ? String((p as { text?: unknown }).text ?? '') : ''))
    .join('');
}
