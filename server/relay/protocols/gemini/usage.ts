// Gemini usageMetadata → MeteredUsage. Unlike Anthropic, Gemini's promptTokenCount
// INCLUDES cachedContentTokenCount, so cached tokens are subtracted from input; and
// candidatesTokenCount EXCLUDES thoughtsTokenCount, so thoughts are added to output.
import type { MeteredUsage } from '../openai/types.ts';
import { asRecord, count } from '../shared/json.ts';

export function meterGeminiUsage(raw: unknown): MeteredUsage | null {
  const u = asRecord(raw);
  if (typeof u.promptTokenCount !== 'number' && typeof u.candidatesTokenCount !== 'number') return null;
  const cached = count(u.cachedContentTokenCount);
  const prompt = count(u.promptTokenCount) + count(u.toolUsePromptTokenCount);
  const thoughts = count(u.thoughtsTokenCount);
  return {
    input: Math.max(0, prompt - cached),
    output: count(u.candidatesTokenCount) + thoughts,
    cacheRead: cached,
    cacheWrite: 0,
    cacheWrite1h: 0,
    reasoning: thoughts,
  };
}
