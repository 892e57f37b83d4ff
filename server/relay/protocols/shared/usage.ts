// Metered usage → the OpenAI usage block clients see. OpenAI counts cached and
// cache-write tokens inside prompt_tokens, so they are added back here.
import type { MeteredUsage, Usage } from '../openai/types.ts';

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
