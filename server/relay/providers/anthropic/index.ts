// 14 Anthropic: native Messages API.
import { anthropicHeaders } from '../../protocols/anthropic/passthrough.ts';
import type { Provider } from '../types.ts';
import { joinUrl } from '../url.ts';
import { requestFromChat } from '../../protocols/anthropic/request-from-chat.ts';
import { responseToChat } from '../../protocols/anthropic/response-to-chat.ts';
import { streamToChat } from '../../protocols/anthropic/stream-to-chat.ts';
import { errorMessage } from '../../protocols/anthropic/upstream-error.ts';

export const ANTHROPIC_VERSION = '2023-06-01';

const anthropic: Provider = {
  id: 'anthropic',
  types: [14],
  name: { en: 'Anthropic Claude', zh: 'Anthropic Claude' },
  defaultBaseUrl: 'https://api.anthropic.com',
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
  // Messages requests go through as they are, with the client's anthropic-version and betas.
  native: { anthropic: { headers: (request, target) => anthropicHeaders(request, target.config.beta, true) } },
  chat: {
    requestFromChat: (req) => requestFromChat(req),
    responseToChat: responseToChat,
    streamToChat: streamToChat,
    errorMessage: errorMessage,
  },
};

export default anthropic;
