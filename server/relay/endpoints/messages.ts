// POST /v1/messages, Anthropic's Messages API. Anthropic channels (and Claude on Vertex AI)
// get the client's bytes and anthropic-version / anthropic-beta headers, and the answer
// streams back byte for byte, metered from message_start / message_delta usage (cache
// reads and writes included). Other channels are served through the chat conversion.
import { meterAnthropicUsage, mergeUsage } from '../providers/anthropic/usage.ts';
import { asRecord } from '../providers/shared/json.ts';
import { VERTEX_ANTHROPIC_VERSION } from '../providers/vertex/index.ts';
import { anthropicSurface, type MessagesRequest } from '../surfaces/anthropic/index.ts';
import { onVertex, speaksAnthropic } from './native-protocols.ts';
import { surfaceEndpoint } from './surface-endpoint.ts';
import { jsonBodyFor, upstreamRequest } from './upstream-request.ts';

export const messagesEndpoint = surfaceEndpoint<MessagesRequest>({
  name: 'messages',
  surface: anthropicSurface,
  model: (body) => body.model,
  // https://docs.anthropic.com/en/api/errors#request-id: every response carries `request-id`.
  requestIdHeader: 'request-id',
  stream: (body) => body.stream === true,
  native: {
    serves: speaksAnthropic,
    upstream({ channel, target, raw, req, request, upstreamModel }) {
      const headers: Record<string, string> = {};
      const beta = [target.config.beta, request.headers.get('anthropic-beta')].filter(Boolean).join(',');
      if (beta) headers['anthropic-beta'] = beta;
      let body: string | Uint8Array;
      if (onVertex(channel)) {
        // Vertex names the model in the URL and the API version in the body.
        const { model: _model, ...rest } = req.json;
        body = JSON.stringify({ ...rest, anthropic_version: VERTEX_ANTHROPIC_VERSION });
      } else {
        const version = request.headers.get('anthropic-version');
        if (version) headers['anthropic-version'] = version;
        body = jsonBodyFor(raw, req.json, upstreamModel);
      }
      return upstreamRequest(channel, target, { endpoint: 'chat/completions', model: upstreamModel, stream: req.stream, body, contentType: 'application/json', headers });
    },
    meter: (answer) => meterAnthropicUsage(asRecord(answer).usage),
    scan: {
      needle: '"usage"',
      meter(prev, event) {
        const e = asRecord(event);
        if (e.type === 'message_start') return mergeUsage(prev, asRecord(e.message).usage);
        if (e.type === 'message_delta') return mergeUsage(prev, e.usage);
        return prev;
      },
    },
  },
});
