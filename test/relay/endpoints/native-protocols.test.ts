// Which channels get an inbound protocol's bytes unconverted.
import { expect, test } from 'bun:test';
import { speaksAnthropic, speaksGemini, speaksResponses } from '../../../server/relay/native-protocols.ts';
import { providerFor } from '../../../server/relay/providers/registry.ts';
import type { ChannelEntry } from '../../../server/state/types.ts';

const channel = (type: number, config: Record<string, string> = {}) => ({ type, provider: providerFor(type), config }) as unknown as ChannelEntry;

test('Anthropic Messages: Anthropic channels and Claude on Vertex', () => {
  expect(speaksAnthropic(channel(14), 'claude-sonnet-4-5')).toBe(true);
  expect(speaksAnthropic(channel(42), 'claude-sonnet-4-5@20250929')).toBe(true);
  expect(speaksAnthropic(channel(42), 'gemini-2.5-pro')).toBe(false);
  expect(speaksAnthropic(channel(33), 'anthropic.claude-3-5-haiku-20241022-v1:0')).toBe(false);
  expect(speaksAnthropic(channel(1), 'claude-sonnet-4-5')).toBe(false);
});

test('Gemini: Gemini channels and Gemini on Vertex, not Gemini\'s OpenAI-format type', () => {
  expect(speaksGemini(channel(24), 'gemini-2.5-flash')).toBe(true);
  expect(speaksGemini(channel(42), 'gemini-2.5-pro')).toBe(true);
  expect(speaksGemini(channel(42), 'claude-opus-4-1@20250805')).toBe(false);
  expect(speaksGemini(channel(51), 'gemini-2.5-flash')).toBe(false);
});

test('Responses: OpenAI, Azure on the v1 API, or any OpenAI-wire channel that says so', () => {
  expect(speaksResponses(channel(1))).toBe(true);
  expect(speaksResponses(channel(3, { api_version: '2024-10-21' }))).toBe(false);
  expect(speaksResponses(channel(3, { api_version: 'v1' }))).toBe(true);
  expect(speaksResponses(channel(8))).toBe(false);
  expect(speaksResponses(channel(8, { responses_api: 'native' }))).toBe(true);
  expect(speaksResponses(channel(1, { responses_api: 'convert' }))).toBe(false);
  // A native-wire vendor cannot be told to take Responses bytes.
  expect(speaksResponses(channel(14, { responses_api: 'native' }))).toBe(false);
});
