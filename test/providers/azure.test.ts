import { expect, test } from 'bun:test';
import azure from '../../server/relay/providers/azure/index.ts';
import type { ChannelTarget } from '../../server/relay/providers/types.ts';

const target = (baseUrl: string, config: Record<string, string> = {}): ChannelTarget => ({ id: 1, type: 3, baseUrl, key: '0123456789abcdef0123456789abcdef', config });
const ctx = { model: 'gpt-4o-mini', stream: true };

test('deployment URL with api-version (default and configured)', () => {
  expect(azure.url(target('https://res.openai.azure.com'), 'chat/completions', ctx)).toBe('https://res.openai.azure.com/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21');
  expect(azure.url(target('https://res.openai.azure.com/', { api_version: '2025-04-01-preview' }), 'embeddings', { model: 'text-embedding-3-small', stream: false }))
    .toBe('https://res.openai.azure.com/openai/deployments/text-embedding-3-small/embeddings?api-version=2025-04-01-preview');
  expect(azure.url(target('https://res.openai.azure.com', { deployment: 'prod-4o' }), 'chat/completions', ctx)).toBe('https://res.openai.azure.com/openai/deployments/prod-4o/chat/completions?api-version=2024-10-21');
});

test('v1 API and pasted paths', () => {
  expect(azure.url(target('https://res.openai.azure.com', { api_version: 'v1' }), 'chat/completions', ctx)).toBe('https://res.openai.azure.com/openai/v1/chat/completions');
  expect(azure.url(target('https://res.openai.azure.com/openai/v1/', { api_version: 'preview' }), 'chat/completions', ctx)).toBe('https://res.openai.azure.com/openai/v1/chat/completions?api-version=preview');
  expect(azure.url(target('https://res.openai.azure.com/openai/deployments/my-dep/chat/completions?api-version=2024-02-01'), 'chat/completions', ctx))
    .toBe('https://res.openai.azure.com/openai/deployments/my-dep/chat/completions?api-version=2024-10-21');
  expect(azure.url(target('https://res.openai.azure.com/openai'), 'chat/completions', ctx)).toBe('https://res.openai.azure.com/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21');
});

test('api-key header, OpenAI wire', () => {
  expect(azure.headers(target('https://res.openai.azure.com'), ctx)).toEqual({ 'api-key': '0123456789abcdef0123456789abcdef' });
  expect(azure.wire).toBe('openai');
});
