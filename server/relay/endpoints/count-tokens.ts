// POST /v1/messages/count_tokens. Answered locally, without an upstream: the count is an
// estimate (see surfaces/anthropic/count-tokens.ts). The key, its model permission and a
// route for the model are checked as for any call, and the call is logged at cost 0.
import type { Gateway } from '../../context.ts';
import { admitKey, route } from '../admission.ts';
import { Call } from '../call.ts';
import { badRequest, RelayError } from '../errors.ts';
import { ZERO_USAGE } from '../protocol/openai-types.ts';
import { parseJsonObject, readBody } from '../read-body.ts';
import { anthropicSurface } from '../surfaces/anthropic/index.ts';
import { ConversionError } from '../surfaces/types.ts';
import { protocolError } from './respond.ts';

const anthropicErrorResponse = protocolError(anthropicSurface.error);

export async function countTokens(gw: Gateway, request: Request, clientIp: string | null): Promise<Response> {
  const call = new Call('messages/count_tokens', clientIp, request.headers.get('user-agent'));
  try {
    admitKey(gw, call, request);
    const parsed = anthropicSurface.parseCountTokens(parseJsonObject(await readBody(request, gw.config.maxBodyBytes, gw.config.requestBodyTimeoutMs)));
    if (!parsed.ok) throw badRequest(parsed.message, 'invalid_request');
    route(gw, call, request, parsed.request.model);
    let counted: { input_tokens: number };
    try {
      counted = anthropicSurface.countTokens(parsed.request);
    } catch (e) {
      if (e instanceof ConversionError) throw badRequest(e.message, 'unsupported_feature');
      throw e;
    }
    const res = Response.json(counted, { headers: call.responseHeaders() });
    call.finish(gw, { status: 200, usage: { ...ZERO_USAGE, input: counted.input_tokens }, estimated: true, cost: 0n });
    if (call.durable) await call.durable;
    return res;
  } catch (e) {
    const err = e instanceof RelayError ? e : new RelayError(500, 'Internal gateway error.', 'server_error', 'internal_error');
    if (!(e instanceof RelayError)) gw.log.error('count_tokens failed', { error: e, request_id: call.requestId });
    call.markResponseReady();
    call.finish(gw, { status: err.status, error: err });
    if (call.durable) await call.durable;
    return anthropicErrorResponse(err, call.requestId);
  }
}
