// POST /v1beta/models/{model}:generateContent and :streamGenerateContent?alt=sse, the
// Gemini API, with the key in x-goog-api-key or ?key=. Channels whose provider speaks it
// natively (`native.gemini`) get the client's bytes and stream back byte for byte, metered from
// usageMetadata; every other channel is served through the chat conversion.
import { badRequest, RelayError } from '../protocols/openai/errors.ts';
import { meterGeminiUsage } from '../protocols/gemini/usage.ts';
import { asRecord } from '../protocols/shared/json.ts';
import { type GenerateContentRequest, geminiSurface } from '../protocols/gemini/index.ts';
import { decodePathSegment } from '../read-body.ts';
import { surfaceEndpoint } from './surface-endpoint.ts';

/** The model and method named by the path `/v1beta/models/{model}:{method}`. */
function route(url: URL): { model: string; stream: boolean } {
  const m = /\/models\/([^/]+):(generateContent|streamGenerateContent)$/.exec(url.pathname);
  if (!m) throw new RelayError(404, `Unknown Gemini method in ${url.pathname}; expected models/{model}:generateContent or :streamGenerateContent.`, 'not_found_error', 'unknown_method');
  const stream = m[2] === 'streamGenerateContent';
  // Without alt=sse Gemini streams one JSON array; clients (Google's SDKs) ask for SSE.
  if (stream && url.searchParams.get('alt') !== 'sse') throw badRequest('streamGenerateContent is served as server-sent events only: add ?alt=sse.', 'invalid_request');
  return { model: decodePathSegment(m[1]!), stream };
}

export const geminiEndpoint = surfaceEndpoint<GenerateContentRequest>({
  name: 'generateContent',
  surface: geminiSurface,
  model: (_body, url) => route(url).model,
  stream: (_body, url) => route(url).stream,
  native: {
    endpoint: 'chat/completions',
    // The model is in the URL, so even a mapped model leaves the body untouched.
    modelInUrl: true,
    meter: (answer) => meterGeminiUsage(asRecord(answer).usageMetadata),
    // Every frame repeats the running totals; the last one wins.
    scan: { needle: '"usageMetadata"', meter: (prev, event) => meterGeminiUsage(asRecord(event).usageMetadata) ?? prev },
  },
});
