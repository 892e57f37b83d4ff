// Bedrock TokenUsage → MeteredUsage. Like Anthropic, inputTokens EXCLUDES cache reads
// and writes (they are reported beside it), so nothing is subtracted.
import type { MeteredUsage } from '../../protocols/openai/types.ts';
import { asArray, asRecord, count } from '../../protocols/shared/json.ts';

export function meterBedrockUsage(raw: unknown): MeteredUsage | null {
  const u = asRecord(raw);
  if (typeof u.inputTokens !== 'number' && typeof u.outputTokens !== 'number') return null;
  const write1h = asArray(u.cacheDetails)
    .map(asRecord)
    .filter((d) => d.ttl === '1h')
    .reduce((sum, d) => sum + count(d.inputTokens), 0);
  return {
    input: count(u.inputTokens),
    output: count(u.outputTokens),
    cacheRead: count(u.cacheReadInputTokens),
    cacheWrite: count(u.cacheWriteInputTokens),
    cacheWrite1h: write1h,
    reasoning: 0,
  };
}
