// POST /v1/audio/speech: text in, the upstream's audio streamed back byte for byte.
// Billed per input character (tts_per_m_chars); a model priced only in tokens is billed
// its input tokens, counted locally (the audio answer carries no usage).
import * as v from 'valibot';
import { countTokens } from '../../billing/estimate.ts';
import { ttsCost } from '../../billing/unit-pricing.ts';
import type { Call } from '../call.ts';
import type { RelayEndpoint } from '../pipeline.ts';
import { ZERO_USAGE } from '../protocols/openai/types.ts';
import { parseJsonObject } from '../read-body.ts';
import { relayStream, type StreamTransform } from '../relay-stream.ts';
import { validate } from '../schemas.ts';
import { type Billing, passesBytes } from './openai-json.ts';
import { streamedAnswer } from './respond.ts';
import { jsonBodyFor, upstreamRequest } from './upstream-request.ts';

const SpeechSchema = v.looseObject({
  model: v.pipe(v.string('model is required and must be a string'), v.nonEmpty('model must not be empty')),
  input: v.pipe(v.string('input is required and must be a string'), v.nonEmpty('input must not be empty')),
  voice: v.union([v.string(), v.looseObject({ id: v.string() })], 'voice is required'),
});

interface SpeechCall {
  body: v.InferOutput<typeof SpeechSchema>;
  json: Record<string, unknown>;
  /** Unicode code points, as OpenAI counts TTS characters. */
  chars: number;
}

function bill(req: SpeechCall, call: Call): Billing {
  const cost = call.price ? ttsCost(req.chars, call.price, call.multiplierPpm) : null;
  if (cost !== null) return { usage: null, cost };
  return { usage: { ...ZERO_USAGE, input: countTokens(req.body.input) }, estimated: true };
}

export const speechEndpoint: RelayEndpoint<SpeechCall> = {
  name: 'audio/speech',
  parse(raw) {
    const json = parseJsonObject(raw);
    const body = validate(SpeechSchema, json);
    return { body, json, chars: [...body.input].length };
  },
  model: (req) => req.body.model,
  // The answer streams, but it is audio: there are no SSE events to meter.
  stream: () => false,
  supports: passesBytes,
  reservation(req, price, ppm) {
    const cost = ttsCost(req.chars, price, ppm);
    return cost !== null ? { amount: cost } : { promptTokens: req.chars, maxTokens: 0 };
  },
  upstream: ({ channel, target, raw, req, upstreamModel }) =>
    upstreamRequest(channel, target, { endpoint: 'audio/speech', model: upstreamModel, stream: false, body: jsonBodyFor(raw, req.json, upstreamModel), contentType: 'application/json' }),
  respond({ gw, call, req }, attempt) {
    const stream = relayStream(gw, call, attempt, billedBytes(bill(req, call)));
    const contentType = attempt.response.headers.get('content-type') ?? 'application/octet-stream';
    return streamedAnswer(stream, { 'content-type': contentType, ...call.responseHeaders() });
  },
};

/**
 * Bytes through untouched, billed at the exact cost when the audio ends, and when the
 * client leaves or the idle deadline hits (both abort the upstream, which has billed the
 * whole input by then; relayStream tells the two apart by the abort signal's reason).
 * A broken upstream stream is billed by usage: a 502 at the per-request price.
 */
function billedBytes(billing: Billing): StreamTransform {
  return {
    push: (chunk) => chunk,
    end: () => null,
    usage: () => null,
    estimate: () => ZERO_USAGE,
    bill: (status) => (status === 502 ? null : billing),
  };
}
