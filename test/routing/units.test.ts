// Pure routing rules: failure classification, Retry-After, the 429 backoff schedule, the
// health window and chat overrides.
import { describe, expect, test } from 'bun:test';
import { applyChatOverrides } from '../../server/relay/overrides.ts';
import { kindOf } from '../../server/channels/test-channel.ts';
import { classifyFailure, retryAfterMs } from '../../server/relay/upstream.ts';
import { breakerOrder } from '../../server/relay/select-channel.ts';
import { Breakers } from '../../server/routing/breaker.ts';
import { HealthWindows } from '../../server/routing/health.ts';
import { KeyStates } from '../../server/routing/key-states.ts';
import { ROUTING_DEFAULTS } from '../../server/routing/settings.ts';
import type { ChannelEntry, PoolKey } from '../../server/state/types.ts';
import type { ChatRequest } from '../../server/relay/protocols/openai/types.ts';

describe('classifyFailure', () => {
  test.each([
    [429, '{"error":{"message":"Rate limit reached"}}', 'rate_limit'],
    [429, '{"error":{"message":"You exceeded your current quota","code":"insufficient_quota"}}', 'key_invalid'],
    [401, '{"error":{"code":"invalid_api_key"}}', 'key_invalid'],
    [402, '{"error":{"message":"Insufficient Balance"}}', 'key_invalid'],
    [403, '{"error":{"message":"Your account is deactivated"}}', 'key_invalid'],
    [403, '{"error":{"message":"model not available in your region"}}', 'server'],
    [400, '{"error":{"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT"}}', 'key_invalid'],
    [400, '{"error":{"message":"max_tokens is too large"}}', 'client'],
    [404, '', 'client'],
    [413, '', 'client'],
    [422, '', 'client'],
    [408, '', 'server'],
    [500, '', 'server'],
    [502, '', 'server'],
    [503, '', 'server'],
    [522, '', 'server'],
  ] as const)('%d %s → %s', (status, body, kind) => {
    expect(classifyFailure(status, body)).toBe(kind);
  });
});

test('retryAfterMs reads seconds, HTTP dates and retry-after-ms', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  expect(retryAfterMs(new Headers({ 'retry-after': '30' }), now)).toBe(30_000);
  expect(retryAfterMs(new Headers({ 'retry-after': '1.5' }), now)).toBe(1_500);
  expect(retryAfterMs(new Headers({ 'retry-after': 'Wed, 01 Jan 2025 00:01:00 GMT' }), now)).toBe(60_000);
  expect(retryAfterMs(new Headers({ 'retry-after-ms': '250', 'retry-after': '9' }), now)).toBe(250);
  expect(retryAfterMs(new Headers({ 'retry-after': 'soon' }), now)).toBeNull();
  expect(retryAfterMs(new Headers(), now)).toBeNull();
});

const entry = (keys: PoolKey[]) => ({ id: 1, keys, cursor: 0 }) as unknown as ChannelEntry;

test('429 cooldown: Retry-After when given; else a lone 429 passes, then base, 2 × base, … capped', () => {
  const s = { ...ROUTING_DEFAULTS, cooldownBaseMs: 1000, cooldownMaxMs: 5000 };
  const states = new KeyStates();
  const k: PoolKey = { id: 7, key: 'k', status: 1, cooldownUntil: 0 };
  const ch = entry([k]);
  expect(states.coolDown(ch, k, 12_000, s, 0)).toBe(12_000);
  expect(k.cooldownUntil).toBe(12_000);
  states.succeeded(k);
  const seq = [1, 2, 3, 4, 5].map(() => states.coolDown(ch, k, null, s, 0));
  expect(seq).toEqual([0, 1000, 2000, 4000, 5000]);
  // Queued for the lazy write, and laid over a reload meanwhile.
  expect(states.overlay(7)).toEqual({ cooldownUntil: 12_000 });
  expect(states.disable(ch, k, 'bad key')).toBe(true);
  expect(states.disable(ch, k, 'bad key')).toBe(false);
  expect(states.overlay(7)).toEqual({ cooldownUntil: 12_000, status: 3 });
});

test('health window: counts inside the window only, per channel × model', () => {
  const h = new HealthWindows();
  for (let i = 0; i < 5; i++) h.record(1, 'm', false, 10_000, 1_000 + i);
  expect(h.record(1, 'm', true, 10_000, 2_000)).toEqual({ total: 6, errors: 5 });
  expect(h.stats(1, 'other')).toEqual({ total: 0, errors: 0 });
  // 12 s later the early buckets have left the 10 s window.
  expect(h.record(1, 'm', true, 10_000, 14_000)).toEqual({ total: 1, errors: 0 });
  h.reset(1);
  expect(h.stats(1, 'm', 14_000)).toEqual({ total: 0, errors: 0 });
});

test('chat overrides: rename, remove, set, forced system prompt; model, messages and stream are protected', () => {
  const ch = { systemPrompt: 'Be brief.', paramOverride: { rename: { max_tokens: 'max_completion_tokens', model: 'x' }, remove: ['user', 'stream'], set: { temperature: 0, messages: [] } } } as unknown as ChannelEntry;
  const body = { model: 'm', stream: true, max_tokens: 9, user: 'u', messages: [{ role: 'user', content: 'hi' }] } as ChatRequest;
  expect(applyChatOverrides(ch, body)).toEqual({
    model: 'm', stream: true, max_completion_tokens: 9, temperature: 0,
    messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hi' }],
  } as unknown as ChatRequest);
  const none = { systemPrompt: null, paramOverride: {} } as unknown as ChannelEntry;
  expect(applyChatOverrides(none, body)).toBe(body);
});

test('test kinds from model names', () => {
  expect(['gpt-4o-mini', 'text-embedding-3-small', 'bge-m3', 'dall-e-3', 'gpt-image-1', 'tts-1', 'gpt-4o-mini-tts', 'whisper-1', 'gpt-4o-transcribe'].map(kindOf))
    .toEqual(['chat', 'embeddings', 'embeddings', 'images', 'images', 'speech', 'speech', 'transcription', 'transcription']);
});

test('circuit breaker: 3 consecutive failures open it; cooldown 1 s, 2 s, 4 s, … capped at 10 s; one trial; a success closes it', () => {
  const b = new Breakers();
  const s = ROUTING_DEFAULTS;
  const t = 1_000_000;
  expect(b.failure(1, 'm', s, 'x', t)).toBe('counted');
  expect(b.failure(1, 'm', s, 'x', t)).toBe('counted');
  b.success(1, 'm');
  // The count is of consecutive failures: a success in between starts again.
  expect(b.failure(1, 'm', s, 'x', t)).toBe('counted');
  expect(b.failure(1, 'm', s, 'x', t)).toBe('counted');
  expect(b.failure(1, 'm', s, 'x', t)).toBe('opened');
  expect(b.state(1, 'm', t)).toBe('open');
  expect(b.state(1, 'other', t)).toBe('closed');
  expect(b.state(1, 'm', t + 999)).toBe('open');
  expect(b.state(1, 'm', t + 1000)).toBe('half_open');
  expect(b.due(t + 1000)).toEqual([{ channelId: 1, model: 'm' }]);
  expect(b.claimTrial(1, 'm', t + 1000)).toBe(true);
  expect(b.claimTrial(1, 'm', t + 1000)).toBe(false);
  expect(b.due(t + 1000)).toEqual([]);
  let now = t + 1000;
  const cooldowns: number[] = [];
  for (let i = 0; i < 6; i++) {
    expect(b.failure(1, 'm', s, 'x', now)).toBe('reopened');
    const retryAt = b.list(now)[0]!.retryAt!.getTime();
    cooldowns.push(retryAt - now);
    now = retryAt;
  }
  expect(cooldowns).toEqual([2000, 4000, 8000, 10000, 10000, 10000]);
  expect(b.success(1, 'm')).toBe(true);
  expect(b.state(1, 'm', now)).toBe('closed');
  expect(b.list(now)).toEqual([]);
});

test('breaker order: open and half-open candidates go after every closed one, each group in its order', () => {
  const b = new Breakers();
  const ch = (id: number) => ({ id }) as ChannelEntry;
  const list = [ch(1), ch(2), ch(3), ch(4)];
  expect(breakerOrder(b, list, 'm')).toBe(list);
  for (const id of [1, 3]) for (let i = 0; i < 3; i++) b.failure(id, 'm', ROUTING_DEFAULTS, 'down');
  expect(breakerOrder(b, list, 'm').map((c) => c.id)).toEqual([2, 4, 1, 3]);
  expect(breakerOrder(b, list, 'other').map((c) => c.id)).toEqual([1, 2, 3, 4]);
});
