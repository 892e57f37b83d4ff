// 24 Google Gemini (AI Studio): native generateContent API.
import type { Provider } from '../types.ts';
import { joinUrl } from '../url.ts';
import { requestFromChat } from '../../protocols/gemini/request-from-chat.ts';
import { responseToChat } from '../../protocols/gemini/response-to-chat.ts';
import { streamToChat } from '../../protocols/gemini/stream-to-chat.ts';
import { errorMessage } from '../../protocols/gemini/upstream-error.ts';
import { geminiModelUrl } from './url.ts';

export const GEMINI_MODELS = ['gemini-2.5-pro', 'gemini-2.5-flash', 'gemini-2.5-flash-lite', 'gemini-2.0-flash', 'gemini-2.0-flash-lite'];

const gemini: Provider = {
  id: 'gemini',
  types: [24],
  name: { en: 'Google Gemini', zh: 'Google Gemini' },
  defaultBaseUrl: 'https://generativelanguage.googleapis.com',
  keyFormat: 'AIza...',
  models: [...GEMINI_MODELS, 'gemini-3-pro-preview'],
  wire: 'native',
  url(target, endpoint, ctx) {
    if (endpoint === 'models') return joinUrl(target.baseUrl, '/v1beta', '/models');
    return geminiModelUrl(target.baseUrl, ctx.model, ctx.stream);
  },
  headers: (target) => ({ 'x-goog-api-key': target.key }),
  // generateContent requests go through as they are (the model is in the URL).
  native: { gemini: {} },
  chat: {
    requestFromChat: (req) => requestFromChat(req),
    responseToChat: responseToChat,
    streamToChat: streamToChat,
    errorMessage: errorMessage,
  },
};

export default gemini;
