// 24 Google Gemini (AI Studio): native generateContent API.
import type { Provider } from '../types.ts';
import { joinUrl } from '../url.ts';
import { toGeminiRequest } from '../../protocols/gemini/request-from-chat.ts';
import { fromGeminiResponse } from '../../protocols/gemini/response-to-chat.ts';
import { geminiStream } from '../../protocols/gemini/stream-to-chat.ts';
import { geminiError } from '../../protocols/gemini/upstream-error.ts';
import { geminiModelUrl } from './url.ts';

export const GEMINI_MODELS = ['gemini-2.5-pro', 'gemini-2.5-flash', 'gemini-2.5-flash-lite', 'gemini-2.0-flash', 'gemini-2.0-flash-lite'];

const gemini: Provider = {
  id: 'gemini',
  types: [24],
  name: { en: 'Google Gemini', zh: 'Google Gemini' },
  defaultBaseUrl: 'https://generativelanguage.googleapis.com',
  auth: 'x-goog-api-key',
  keyFormat: 'AIza...',
  models: [...GEMINI_MODELS, 'gemini-3-pro-preview'],
  wire: 'native',
  url(target, endpoint, ctx) {
    if (endpoint === 'models') return joinUrl(target.baseUrl, '/v1beta', '/models');
    return geminiModelUrl(target.baseUrl, ctx.model, ctx.stream);
  },
  headers: (target) => ({ 'x-goog-api-key': target.key }),
  chat: {
    toUpstream: (req) => toGeminiRequest(req),
    fromUpstream: fromGeminiResponse,
    stream: geminiStream,
    error: geminiError,
  },
};

export default gemini;
