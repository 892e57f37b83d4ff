// POST /v1beta/models/{model}:countTokens (and /v1/…, which @google/genai uses by default),
// answered locally: an ESTIMATE with OpenAI's o200k_base encoding of the request converted
// to chat (Gemini's tokenizer is not public), like /v1/messages/count_tokens. Body:
// `{contents}` or `{generateContentRequest: {contents, systemInstruction, tools, …}}`
// (https://ai.google.dev/api/tokens#method:-models.counttokens). Logged at cost 0.
import { promptTokens } from '../../billing/estimate.ts';
import type { LocalEndpoint } from '../pipeline.ts';
import { type GenerateContentRequest, geminiSurface } from '../protocols/gemini/index.ts';
import { badRequest } from '../protocols/openai/errors.ts';
import { ZERO_USAGE } from '../protocols/openai/types.ts';
import { ConversionError } from '../protocols/types.ts';
import { decodePathSegment, parseJsonObject } from '../read-body.ts';
import { protocolError } from './respond.ts';

interface CountRequest {
  model: string;
  body: GenerateContentRequest;
}

export const geminiCountTokensEndpoint: LocalEndpoint<CountRequest> = {
  name: 'countTokens',
  parse(raw, _request, url) {
    const model = decodePathSegment(/\/models\/([^/:]+):countTokens$/.exec(url.pathname)?.[1] ?? '');
    const json = parseJsonObject(raw);
    const inner = json.generateContentRequest && typeof json.generateContentRequest === 'object' ? json.generateContentRequest as Record<string, unknown> : { contents: json.contents ?? [] };
    const parsed = geminiSurface.parse(inner);
    if (!parsed.ok) throw badRequest(parsed.message, 'invalid_request');
    return { model, body: parsed.request };
  },
  model: (req) => req.model,
  answer(call, req) {
    let total: number;
    try {
      total = promptTokens(geminiSurface.requestToChat(req.body, req.model, false));
    } catch (e) {
      if (e instanceof ConversionError) throw badRequest(e.message, 'unsupported_feature');
      throw e;
    }
    return {
      response: Response.json({ totalTokens: total }, { headers: call.responseHeaders() }),
      outcome: { status: 200, usage: { ...ZERO_USAGE, input: total }, estimated: true, cost: 0n },
    };
  },
  error: protocolError(geminiSurface.errorBody),
};

/** Any other /v1beta path: a 404 in Google's error shape, so Gemini clients read it. */
export function geminiNotFound(url: URL): Response {
  const { status, body } = geminiSurface.errorBody(404, `Method not found: ${url.pathname} is not served by this gateway; it serves models/{model}:generateContent, :streamGenerateContent and :countTokens.`);
  return Response.json(body, { status });
}
