import { describe, expect, test } from 'bun:test';
import type { ChatRequest } from '../../server/relay/protocols/openai/types.ts';
import { meterOpenAIUsage } from '../../server/relay/protocols/openai/types.ts';
import { providerFor } from '../../server/relay/providers/registry.ts';
import { fitChatParams } from '../../server/relay/protocols/shared/params.ts';
import { bestPattern, mappedModel, matchesPattern, priceNames } from '../../server/state/model-names.ts';

describe('model names', () => {
  test('dated snapshots fall back to the undated name, then the -latest alias', () => {
    expect(priceNames('claude-haiku-4-5-20251001')).toEqual(['claude-haiku-4-5-20251001', 'claude-haiku-4-5', 'claude-haiku-4-5-latest']);
    expect(priceNames('gpt-4o-2024-08-06')).toEqual(['gpt-4o-2024-08-06', 'gpt-4o', 'gpt-4o-latest']);
    expect(priceNames('claude-opus-4-1@20250805')).toEqual(['claude-opus-4-1@20250805', 'claude-opus-4-1', 'claude-opus-4-1-latest']);
    expect(priceNames('gpt-5.5')).toEqual(['gpt-5.5']);
  });

  test('patterns match whole names, regex characters are literal, the longest wins', () => {
    expect(matchesPattern('claude-*', 'claude-opus-5-5')).toBe(true);
    expect(matchesPattern('claude-*', 'xclaude-opus')).toBe(false);
    expect(matchesPattern('gpt-5.*', 'gpt-5x5')).toBe(false);
    expect(bestPattern(['claude-*', 'claude-sonnet-*', '*'], 'claude-sonnet-5')).toBe('claude-sonnet-*');
    expect(bestPattern(['claude-*'], 'gemini')).toBeNull();
  });

  test('mapping: exact key first, then the longest matching pattern, else the name itself', () => {
    const mapping = { 'claude-*': 'deepseek-chat', 'claude-haiku-*': 'deepseek-v4-flash', sonnet: 'claude-sonnet-4-6' };
    expect(mappedModel(mapping, 'sonnet')).toBe('claude-sonnet-4-6');
    expect(mappedModel(mapping, 'claude-haiku-4-5-20251001')).toBe('deepseek-v4-flash');
    expect(mappedModel(mapping, 'claude-opus-5-5')).toBe('deepseek-chat');
    expect(mappedModel(mapping, 'gpt-5.5')).toBe('gpt-5.5');
    expect(mappedModel({}, 'x')).toBe('x');
  });
});

describe('provider parameter rules', () => {
  const req = (extra: Partial<ChatRequest>): ChatRequest => ({ model: 'm', messages: [{ role: 'user', content: 'hi' }], ...extra });

  test('Anthropic caps temperature at 1 (OpenAI allows 2)', () => {
    expect(fitChatParams(providerFor(14).params, req({ temperature: 1.7 }), 'claude-sonnet-4-6').temperature).toBe(1);
    expect(fitChatParams(providerFor(1).params, req({ temperature: 1.7 }), 'gpt-4o').temperature).toBe(1.7);
  });

  test('OpenAI: user over 64 characters becomes a stable 64-character hash; reasoning_effort only on reasoning models', () => {
    const long = 'u'.repeat(150);
    const a = fitChatParams(providerFor(1).params, req({ user: long, reasoning_effort: 'high' }), 'gpt-4o');
    expect(a.user).toHaveLength(64);
    expect(fitChatParams(providerFor(1).params, req({ user: long }), 'gpt-4o').user).toBe(a.user);
    expect(a.reasoning_effort).toBeUndefined();
    expect(fitChatParams(providerFor(1).params, req({ reasoning_effort: 'high' }), 'gpt-5.5').reasoning_effort).toBe('high');
  });

  test('max tokens field per vendor; a request that fits is returned as is', () => {
    expect(fitChatParams(providerFor(1).params, req({ max_tokens: 9 }), 'gpt-5.5')).toMatchObject({ max_completion_tokens: 9 });
    expect(fitChatParams(providerFor(36).params, req({ max_completion_tokens: 9 }), 'deepseek-chat')).toMatchObject({ max_tokens: 9 });
    const fine = req({ max_tokens: 9 });
    expect(fitChatParams(providerFor(36).params, fine, 'deepseek-chat')).toBe(fine);
  });
});

describe('vendor usage fields on the OpenAI wire', () => {
  test('DeepSeek prompt_cache_hit_tokens, Moonshot cached_tokens, OpenRouter cache_write_tokens, top-level reasoning_tokens', () => {
    expect(meterOpenAIUsage({ prompt_tokens: 1000, completion_tokens: 10, prompt_cache_hit_tokens: 800, prompt_cache_miss_tokens: 200 })).toMatchObject({ input: 200, cacheRead: 800, output: 10 });
    expect(meterOpenAIUsage({ prompt_tokens: 100, completion_tokens: 1, cached_tokens: 40 })).toMatchObject({ input: 60, cacheRead: 40 });
    expect(meterOpenAIUsage({ prompt_tokens: 100, completion_tokens: 1, prompt_tokens_details: { cached_tokens: 10, cache_write_tokens: 30 } })).toMatchObject({ input: 60, cacheRead: 10, cacheWrite: 30 });
    expect(meterOpenAIUsage({ prompt_tokens: 5, completion_tokens: 50, reasoning_tokens: 40 })).toMatchObject({ output: 50, reasoning: 40 });
  });
});
