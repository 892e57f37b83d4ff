// POST /v1beta/models/{model}:countTokens (and /v1/…, which @google/genai uses by default),
// answered locally: an ESTIMATE with OpenAI's o200k_base encoding of the request converted
// to chat (Gemini's tokenizer is not public), like /v1/messages/count_tokens. Body:
// `{contents}` or `{generateContentRequest: {contents, systemInstruction, tools, …}}`
// (https://ai.google.dev/api/tokens#method:-models.counttokens). Logged at cost 0.
import { promptTokens } from '../../billing/estimate.ts';
import type { Gateway } from '../../context.ts';
import { admitKey, route } from '../admission.ts';
import { Call } from '../call.ts';
import { badRequest, RelayError } from '../errors.ts';
import { ZERO_USAGE } from '../protocol/openai-types.ts';
import { parseJsonObject, readBody } from '../read-body.ts';
import { geminiSurface } from '../surfaces/gemini/index.ts';
import { ConversionError } from '../surfaces/types.ts';
import { protocolError } from './respond.ts';

const geminiErrorResponse = protocolError(geminiSurface.error);

export async function geminiCountTokens(gw: Gateway, request: Request, clientIp: string | null, url = new URL(request.url)): Promise<Response> {
  const call = new Call('countTokens', clientIp, request.headers.get('user-agent'));
  try {
    admitKey(gw, call, request, url);
    let model: string;
    try {
      model = decodeURIComponent(/\/models\/([^/:]+):countTokens$/.exec(url.pathname)?.[1] ?? '');
    } catch {
      throw badRequest('The model name in the path is not valid percent-encoding.', 'invalid_request');
    }
    const json = parseJsonObject(await readBody(request, gw.config.maxBodyBytes));
    const inner = json.generateContentRequest && typeof json.generateContentRequest === 'object' ? json.generateContentRequest as Record<string, unknown> : { contents: json.contents ?? [] };
    const parsed = geminiSurface.parse(inner);
    if (!parsed.ok) throw badRequest(parsed.message, 'invalid_request');
    route(gw, call, request, model);
    let total: number;
    try {
      total = promptTokens(geminiSurface.toChat(parsed.request, model, false));
    } catch (e) {
      if (e instanceof ConversionError) throw badRequest(e.message, 'unsupported_feature');
      throw e;
    }
    const res = Response.json({ totalTokens: total }, { headers: call.responseHeaders() });
    call.finish(gw, { status: 200, usage: { ...ZERO_USAGE, input: total }, estimated: true, cost: 0n });
    if (call.durable) await call.durable;
    return res;
  } catch (e) {
    const err = e instanceof RelayError ? e : new RelayError(500, 'Internal gateway error.', 'server_error', 'internal_error');
    if (!(e instanceof RelayError)) gw.log.error('countTokens failed', { error: e, request_id: call.requestId });
    call.markResponseReady();
    call.finish(gw, { status: err.status, error: err });
    if (call.durable) await call.durable;
    return geminiErrorResponse(err, call.requestId);
  }
}

/** Any other /v1beta path: a 404 in Google's error shape, so Gemini clients read it. */
export function geminiNotFound(url: URL): Response {
  const { status, body } = geminiSurface.error(404, `Method not found: ${url.pathname} is not served by this gateway; it serves models/{model}:generateContent, :streamGenerateContent and :countTokens.`);
  return Response.json(body, { status });
}
