// 42 Google Vertex AI: Gemini (generateContent) and Claude (Anthropic-on-Vertex
// rawPredict) behind one service-account key; the wire format follows the model.
import * as anthropic from '../../protocols/anthropic/request-from-chat.ts';
import * as anthropicResponse from '../../protocols/anthropic/response-to-chat.ts';
import * as anthropicError from '../../protocols/anthropic/upstream-error.ts';
import * as gemini from '../../protocols/gemini/request-from-chat.ts';
import * as geminiResponse from '../../protocols/gemini/response-to-chat.ts';
import * as geminiError from '../../protocols/gemini/upstream-error.ts';
import { anthropicHeaders } from '../../protocols/anthropic/passthrough.ts';
import type { Provider } from '../types.ts';
import { isAnthropicBody, vertexStream } from './detect.ts';
import { parseServiceAccount } from './service-account.ts';
import { getAccessToken } from './token.ts';
import { isClaude, vertexModelUrl } from './url.ts';

export const VERTEX_ANTHROPIC_VERSION = 'vertex-2023-10-16';

const vertex: Provider = {
  id: 'vertex',
  types: [42],
  name: { en: 'Google Vertex AI', zh: 'Google Vertex AI' },
  defaultBaseUrl: '',
  keyFormat: 'service-account JSON',
  configFields: [
    { name: 'region', label: { en: 'Region', zh: '区域' }, placeholder: 'us-central1 | us-east5 | global' },
    { name: 'project_id', label: { en: 'Project id (defaults to the key\'s)', zh: '项目 ID（默认取密钥中的）' } },
  ],
  models: [
    'gemini-2.5-pro', 'gemini-2.5-flash', 'gemini-2.5-flash-lite', 'gemini-2.0-flash-001',
    'claude-sonnet-4-5@20250929', 'claude-opus-4-1@20250805', 'claude-sonnet-4@20250514', 'claude-haiku-4-5@20251001',
    'claude-3-7-sonnet@20250219', 'claude-3-5-haiku@20241022',
  ],
  wire: 'native',
  url(target, _endpoint, ctx) {
    const project = target.config.project_id?.trim() || parseServiceAccount(target.key)?.project_id || '';
    return vertexModelUrl(target, project, ctx.model, ctx.stream);
  },
  async headers(target) {
    const sa = parseServiceAccount(target.key);
    // A non-JSON key is taken as a ready access token (e.g. from `gcloud auth print-access-token`).
    const token = sa ? await getAccessToken(sa) : target.key.trim();
    return { authorization: `Bearer ${token}` };
  },
  native: {
    // Claude on Vertex (rawPredict) takes the Messages body without `model` (it is in the
    // URL) and with Vertex's own anthropic_version in the body instead of the header.
    anthropic: {
      serves: (_config, model) => isClaude(model),
      body: ({ model: _model, ...rest }) => ({ ...rest, anthropic_version: VERTEX_ANTHROPIC_VERSION }),
      headers: (request, target) => anthropicHeaders(request, target.config.beta, false),
    },
    gemini: { serves: (_config, model) => !isClaude(model) },
  },
  chat: {
    requestFromChat(req) {
      if (!isClaude(req.model)) return gemini.requestFromChat(req);
      const { model: _model, ...body } = anthropic.requestFromChat(req);
      return { anthropic_version: VERTEX_ANTHROPIC_VERSION, ...body };
    },
    responseToChat: (json, model) => (isAnthropicBody(json) ? anthropicResponse.responseToChat(json, model) : geminiResponse.responseToChat(json, model)),
    streamToChat: vertexStream,
    // Vertex wraps errors Google-style, but Claude's own errors come back Anthropic-style.
    errorMessage(status, body) {
      const a = anthropicError.errorMessage(status, body);
      return a.type && a.type !== 'upstream_error' ? a : geminiError.errorMessage(status, body);
    },
  },
};

export default vertex;
