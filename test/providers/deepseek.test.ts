import { expect, test } from 'bun:test';
import { meterOpenAIUsage, type ChatResponse } from '../../server/relay/protocols/openai/types.ts';
import { providerFor } from '../../server/relay/providers/registry.ts';
import { fixtureJson, fixtureText, parseSse } from './fixtures.ts';

// DeepSeek speaks OpenAI's wire: the relay passes bytes through, so reasoning_content
// survives untouched. These tests pin that it stays on the pass-through path and that
// its usage meters as OpenAI usage (cached tokens inside prompt_tokens).

test('deepseek is an OpenAI-wire provider with no converters that could strip fields', () => {
  const p = providerFor(36);
  expect(p.wire).toBe('openai');
  expect(p.chat).toBeUndefined();
});

test('reasoner response: reasoning_content present, usage metered with cache hits', () => {
  const body = fixtureJson('deepseek', 'reasoner.json') as ChatResponse;
  expect(body.choices[0]?.message.reasoning_content).toBe('Compare the decimals: 0.11 < 0.8, so 9.11 < 9.8.');
  expect(meterOpenAIUsage(body.usage)).toEqual({ input: 4, output: 160, cacheRead: 16, cacheWrite: 0, cacheWrite1h: 0, reasoning: 150 });
});

test('reasoner stream carries reasoning_content deltas before content', () => {
  const deltas = parseSse(fixtureText('deepseek', 'reasoner.sse')).filter((e) => e.data !== '[DONE]').map((e) => JSON.parse(e.data).choices[0].delta);
  expect(deltas.map((d) => d.reasoning_content ?? '').join('')).toBe('Compare 0.11 and 0.8.');
  expect(deltas.map((d) => d.content ?? '').join('')).toBe('9.11 is smaller.');
});
