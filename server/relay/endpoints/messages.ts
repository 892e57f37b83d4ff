// POST /v1/messages, Anthropic's Messages API. Channels whose provider speaks it natively
// (`native.anthropic`: the headers and body edits are the provider's) get the client's
// request, and the answer streams back byte for byte, metered from message_start / message_delta usage (cache
// reads and writes included). Other channels are served through the chat conversion.
import { meterAnthropicUsage, mergeUsage } from '../protocols/anthropic/usage.ts';
import { asRecord } from '../protocols/shared/json.ts';
import { anthropicSurface, type MessagesRequest } from '../protocols/anthropic/index.ts';
import { surfaceEndpoint } from './surface-endpoint.ts';

export const messagesEndpoint = surfaceEndpoint<MessagesRequest>({
  name: 'messages',
  surface: anthropicSurface,
  model: (body) => body.model,
  // https://docs.anthropic.com/en/api/errors#request-id: every response carries `request-id`.
  requestIdHeader: 'request-id',
  stream: (body) => body.stream === true,
  native: {
    endpoint: 'chat/completions',
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
