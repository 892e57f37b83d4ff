// POST /v1/responses, OpenAI's Responses API. Channels that serve it (`native.responses`
// on the provider, or the channel's responses_api setting: relay/native-protocols.ts) get the client's bytes and stream back byte for byte, metered from
// the usage of response.completed; chat-only channels go through the chat conversion.
// The gateway is stateless: what that rules out is in docs/surfaces.md.
import type { MeteredUsage } from '../protocols/openai/types.ts';
import { asRecord, count } from '../protocols/shared/json.ts';
import { type ResponsesRequest, responsesSurface } from '../protocols/responses/index.ts';
import { surfaceEndpoint } from './surface-endpoint.ts';

/** Responses usage: input_tokens includes the cached ones, output_tokens the reasoning ones. */
export function meterResponsesUsage(raw: unknown): MeteredUsage | null {
  const u = asRecord(raw);
  if (typeof u.input_tokens !== 'number') return null;
  const cached = count(asRecord(u.input_tokens_details).cached_tokens);
  return {
    input: Math.max(0, count(u.input_tokens) - cached),
    output: count(u.output_tokens),
    cacheRead: cached,
    cacheWrite: 0,
    cacheWrite1h: 0,
    reasoning: count(asRecord(u.output_tokens_details).reasoning_tokens),
  };
}

export const responsesEndpoint = surfaceEndpoint<ResponsesRequest>({
  name: 'responses',
  surface: responsesSurface,
  model: (body) => body.model,
  stream: (body) => body.stream === true,
  native: {
    endpoint: 'responses',
    meter: (answer) => meterResponsesUsage(asRecord(answer).usage),
    // response.created / in_progress carry "usage": null; response.completed the real one.
    scan: { needle: '"usage"', meter: (prev, event) => meterResponsesUsage(asRecord(asRecord(event).response).usage) ?? prev },
  },
});
