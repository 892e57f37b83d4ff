// Metered usage → the OpenAI usage block clients see. OpenAI counts cached and
// cache-write tokens inside prompt_tokens, so they are added back here.
import type { ChatResponse, MeteredUsage, Usage } from '../openai/types.ts';

export function toOpenAIUsage(m: MeteredUsage): Usage {
  const prompt = m.input + m.cacheRead + m.cacheWrite;
  const usage: Usage = {
    prompt_tokens: prompt,
    completion_tokens: m.output,
    total_tokens: prompt + m.output,
    prompt_tokens_details: { cached_tokens: m.cacheRead },
    completion_tokens_details: { reasoning_tokens: m.reasoning },
  };
  if (m.cacheWrite > 0 && usage.prompt_tokens_details) usage.prompt_tokens_details.cache_creation_tokens = m.cacheWrite;
  return usage;
}

/** Usage of a vendor that reports only prompt and completion tokens (no cache, no reasoning). */
export function plainUsage(input: number, output: number): MeteredUsage {
  return { input, output, cacheRead: 0, cacheWrite: 0, cacheWrite1h: 0, reasoning: 0 };
}

/** A non-streamed answer for such a vendor, with a bare usage block when it reported one. */
export function plainCompletion(id: string, created: number, model: string, choices: ChatResponse['choices'], usage: MeteredUsage | null): ChatResponse {
  return {
    id,
    object: 'chat.completion',
    created,
    model,
    choices,
    ...(usage ? { usage: { prompt_tokens: usage.input, completion_tokens: usage.output, total_tokens: usage.input + usage.output } } : {}),
  };
}
