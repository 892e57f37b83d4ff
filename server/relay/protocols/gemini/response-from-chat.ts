// OpenAI chat completion → Gemini GenerateContentResponse, plus the finish-reason and usage
// mappings the stream converter shares.
import type { ChatMessage, ChatResponse, Usage } from '../openai/types.ts';
import { bareId, parseArguments } from '../types.ts';
import type { GenerateContentRequest } from './schema.ts';

/** Tool calls end a Gemini turn with STOP; the functionCall parts say what to run. */
export function finishReasonFromChat(finish: string | null | undefined): string {
  switch (finish) {
    case 'length':
      return 'MAX_TOKENS';
    case 'content_filter':
      return 'SAFETY';
    case 'stop':
    case 'tool_calls':
    case 'function_call':
    case null:
    case undefined:
      return 'STOP';
    default:
      return 'OTHER';
  }
}

export interface UsageMetadata {
  promptTokenCount: number;
  candidatesTokenCount: number;
  totalTokenCount: number;
  cachedContentTokenCount?: number;
  thoughtsTokenCount?: number;
}

/**
 * promptTokenCount INCLUDES cached tokens (as OpenAI's prompt_tokens does); Gemini counts
 * thoughts apart from candidates, while OpenAI's completion_tokens includes reasoning.
 */
export function usageMetadata(u: Usage | null | undefined): UsageMetadata | undefined {
  if (!u || typeof u.prompt_tokens !== 'number') return undefined;
  const reasoning = u.completion_tokens_details?.reasoning_tokens ?? 0;
  const cached = u.prompt_tokens_details?.cached_tokens ?? 0;
  const completion = u.completion_tokens ?? 0;
  const meta: UsageMetadata = {
    promptTokenCount: u.prompt_tokens,
    candidatesTokenCount: Math.max(0, completion - reasoning),
    totalTokenCount: u.total_tokens ?? u.prompt_tokens + completion,
  };
  if (cached > 0) meta.cachedContentTokenCount = cached;
  if (reasoning > 0) meta.thoughtsTokenCount = reasoning;
  return meta;
}

/** Thoughts are returned only when the client asked for them, as Gemini does. */
export function wantsThoughts(req: GenerateContentRequest): boolean {
  return req.generationConfig?.thinkingConfig?.includeThoughts === true;
}

export function functionCallPart(id: string, name: string, args: string | undefined) {
  return { functionCall: { id, name, args: parseArguments(args) } };
}

function partsOf(message: ChatMessage | undefined, thoughts: boolean): unknown[] {
  const parts: unknown[] = [];
  if (thoughts && message?.reasoning_content) parts.push({ text: message.reasoning_content, thought: true });
  if (typeof message?.content === 'string' && message.content) parts.push({ text: message.content });
  for (const call of message?.tool_calls ?? []) parts.push(functionCallPart(call.id, call.function.name, call.function.arguments));
  return parts.length ? parts : [{ text: '' }];
}

export function responseFromChat(res: ChatResponse, req: GenerateContentRequest): unknown {
  const thoughts = wantsThoughts(req);
  const out: Record<string, unknown> = {
    candidates: res.choices.map((choice) => ({
      content: { parts: partsOf(choice.message, thoughts), role: 'model' },
      finishReason: finishReasonFromChat(choice.finish_reason),
      index: choice.index,
    })),
  };
  const usage = usageMetadata(res.usage);
  if (usage) out.usageMetadata = usage;
  out.modelVersion = res.model;
  out.responseId = bareId(res.id);
  return out;
}
