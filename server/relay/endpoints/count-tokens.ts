// POST /v1/messages/count_tokens. Answered locally, without an upstream: the count is an
// estimate (see protocols/anthropic/count-tokens.ts). The key, its model permission and a
// route for the model are checked as for any call, and the call is logged at cost 0.
import { badRequest } from '../protocols/openai/errors.ts';
import type { LocalEndpoint } from '../pipeline.ts';
import { anthropicSurface, type CountTokensRequest } from '../protocols/anthropic/index.ts';
import { ZERO_USAGE } from '../protocols/openai/types.ts';
import { ConversionError } from '../protocols/types.ts';
import { parseJsonObject } from '../read-body.ts';
import { protocolError } from './respond.ts';

export const countTokensEndpoint: LocalEndpoint<CountTokensRequest> = {
  name: 'messages/count_tokens',
  parse(raw) {
    const parsed = anthropicSurface.parseCountTokens(parseJsonObject(raw));
    if (!parsed.ok) throw badRequest(parsed.message, 'invalid_request');
    return parsed.request;
  },
  model: (req) => req.model,
  answer(call, req) {
    let counted: { input_tokens: number };
    try {
      counted = anthropicSurface.countTokens(req);
    } catch (e) {
      if (e instanceof ConversionError) throw badRequest(e.message, 'unsupported_feature');
      throw e;
    }
    return {
      response: Response.json(counted, { headers: call.responseHeaders() }),
      outcome: { status: 200, usage: { ...ZERO_USAGE, input: counted.input_tokens }, estimated: true, cost: 0n },
    };
  },
  error: protocolError(anthropicSurface.errorBody),
};
