// 14 Anthropic: native Messages API.
import type { Provider } from '../types.ts';
import { joinUrl } from '../url.ts';
import { toAnthropicRequest } from './convert-request.ts';
import { fromAnthropicResponse } from './convert-response.ts';
import { anthropicStream } from './convert-stream.ts';
import { anthropicError } from './errors.ts';

export const ANTHROPIC_VERSION = '2023-06-01';

const anthropic: Provider = {
  id: 'anthropic',
  types: [14],
  name: { en: 'Anthropic Claude', zh: 'Anthropic Claude' },
  defaultBaseUrl: 'https://api.anthropic.com',
  auth: 'x-api-key',
  keyFormat: 'sk-ant-...',
  configFields: [
    { name: 'beta', label: { en: 'anthropic-beta header (optional)', zh: 'anthropic-beta 请求头（可选）' }, placeholder: 'extended-cache-ttl-2025-04-11' },
  ],
  models: [
    'claude-opus-4-1-20250805', 'claude-opus-4-20250514', 'claude-sonnet-4-5-20250929', 'claude-sonnet-4-20250514',
    'claude-haiku-4-5-20251001', 'claude-3-7-sonnet-20250219', 'claude-3-5-haiku-20241022',
  ],
  wire: 'native',
  // https://docs.anthropic.com/en/api/messages: temperature ranges 0–1 (OpenAI's 0–2 is capped).
  params: { temperatureMax: 1 },
  url(target, endpoint) {
    return joinUrl(target.baseUrl, '/v1', endpoint === 'models' ? '/models' : '/messages');
  },
  headers(target) {
    const h: Record<string, string> = { 'x-api-key': target.key, 'anthropic-version': ANTHROPIC_VERSION };
    if (target.config.beta) h['anthropic-beta'] = target.config.beta;
    return h;
  },
  chat: {
    toUpstream: (req) => toAnthropicRequest(req),
    fromUpstream: fromAnthropicResponse,
    stream: anthropicStream,
    error: anthropicError,
  },
};

export default anthropic;
