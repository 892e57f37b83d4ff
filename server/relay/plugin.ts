// The relay's HTTP surface as an Elysia plugin. Bodies are read raw (parse: 'none') so
// the handlers see the client's bytes and can forward them untouched.
import { Elysia } from 'elysia';
import type { Gateway } from '../context.ts';
import { authenticate, presentedKey } from './auth.ts';
import { newRequestId, OVERHEAD_HEADER } from './call.ts';
import { chatEndpoint } from './endpoints/chat.ts';
import { speechEndpoint } from './endpoints/audio-speech.ts';
import { transcriptionsEndpoint, translationsEndpoint } from './endpoints/audio-transcriptions.ts';
import { completionsEndpoint } from './endpoints/completions.ts';
import { countTokensEndpoint } from './endpoints/count-tokens.ts';
import { embeddingsEndpoint } from './endpoints/embeddings.ts';
import { geminiEndpoint } from './endpoints/gemini.ts';
import { geminiCountTokensEndpoint } from './endpoints/gemini-count-tokens.ts';
import { imageEditsEndpoint, imageGenerationsEndpoint } from './endpoints/images.ts';
import { messagesEndpoint } from './endpoints/messages.ts';
import { moderationsEndpoint } from './endpoints/moderations.ts';
import { rerankEndpoint } from './endpoints/rerank.ts';
import { responsesEndpoint } from './endpoints/responses.ts';
import { errorResponse, RelayError } from './protocols/openai/errors.ts';
import { modelsFor } from './models.ts';
import { type RelayEndpoint, runRelay } from './pipeline.ts';
import { decodePathSegment } from './read-body.ts';

/** Shutdown waits for requests in flight (streams track themselves until they end). */
function track<T>(gw: Gateway, p: Promise<T>): Promise<T> {
  gw.inflight.add(p);
  return p.finally(() => gw.inflight.delete(p));
}

export function relayPlugin(gw: Gateway) {
  const ip = (server: Parameters<Gateway['clientAddress']['of']>[0], request: Request) => gw.clientAddress.of(server, request);

  /** Answered by the gateway alone (the model list): the whole handling time is its overhead. */
  const guarded = (fn: (requestId: string) => Response) => {
    const t0 = performance.now();
    const requestId = newRequestId();
    let res: Response;
    try {
      res = fn(requestId);
    } catch (e) {
      if (!(e instanceof RelayError)) throw e;
      res = errorResponse(e, requestId);
    }
    res.headers.set(OVERHEAD_HEADER, (performance.now() - t0).toFixed(3));
    return res;
  };

  type Ctx = { request: Request; server: Parameters<typeof ip>[0] };
  const relay = <Req>(ep: RelayEndpoint<Req>) => ({ request, server }: Ctx) => track(gw, runRelay(gw, ep, request, ip(server, request)));
  const raw = { parse: 'none' } as const;
  const gemini = ({ request, server }: Ctx) => request.url.includes(':countTokens')
    ? track(gw, runRelay(gw, geminiCountTokensEndpoint, request, ip(server, request)))
    : track(gw, runRelay(gw, geminiEndpoint, request, ip(server, request)));

  return new Elysia({ name: 'relay' })
    .post('/v1/chat/completions', ({ request, server }) => track(gw, runRelay(gw, chatEndpoint, request, ip(server, request))), { parse: 'none' })
    .post('/v1/completions', relay(completionsEndpoint), raw)
    .post('/v1/embeddings', relay(embeddingsEndpoint), raw)
    .post('/v1/images/generations', relay(imageGenerationsEndpoint), raw)
    .post('/v1/images/edits', relay(imageEditsEndpoint), raw)
    .post('/v1/audio/speech', relay(speechEndpoint), raw)
    .post('/v1/audio/transcriptions', relay(transcriptionsEndpoint), raw)
    .post('/v1/audio/translations', relay(translationsEndpoint), raw)
    .post('/v1/moderations', relay(moderationsEndpoint), raw)
    .post('/v1/rerank', relay(rerankEndpoint), raw)
    .post('/v1/responses', relay(responsesEndpoint), raw)
    .post('/v1/messages', relay(messagesEndpoint), raw)
    .post('/v1/messages/count_tokens', ({ request, server }) => track(gw, runRelay(gw, countTokensEndpoint, request, ip(server, request))), raw)
    // `{model}:generateContent` is one path segment; the endpoint splits it. @google/genai
    // defaults to the `v1` version, so POST /v1/models/{model}:… is Gemini too.
    .post('/v1beta/models/:method', gemini, raw)
    .post('/v1/models/:method', gemini, raw)
    .get('/v1/models', ({ request }) => guarded((requestId) => {
      const p = authenticate(gw.store, presentedKey(request.headers));
      return Response.json({ object: 'list', data: modelsFor(gw, p) }, { headers: { 'x-request-id': requestId } });
    }))
    .get('/v1/models/:id', ({ request, params }) => guarded((requestId) => {
      const p = authenticate(gw.store, presentedKey(request.headers));
      const id = decodePathSegment(params.id);
      const card = modelsFor(gw, p).find((m) => m.id === id);
      if (!card) throw new RelayError(404, `The model "${id}" does not exist or you do not have access to it.`, 'not_found_error', 'model_not_found');
      return Response.json(card, { headers: { 'x-request-id': requestId } });
    }));
}
