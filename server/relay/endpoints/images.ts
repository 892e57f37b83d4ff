// POST /v1/images/generations (JSON) and /v1/images/edits (multipart): billed per image
// by size and quality from the price's image table; models priced in tokens instead
// (gpt-image-1 reports usage) fall back to tokens.
import * as v from 'valibot';
import type { PriceEntry } from '../../billing/pricing.ts';
import { imagesCost, imageUnitPrice, maxImageUnitPrice } from '../../billing/unit-pricing.ts';
import type { ReservationInput } from '../admission.ts';
import type { Call } from '../call.ts';
import { badRequest } from '../protocols/openai/errors.ts';
import type { RelayEndpoint } from '../pipeline.ts';
import { ZERO_USAGE } from '../protocols/openai/types.ts';
import { asRecord, count } from '../protocols/shared/json.ts';
import { intField, type MultipartBody, multipartBodyFor, parseMultipart, requiredFile, requiredText, textField } from './multipart.ts';
import { type Billing, billedJson, openaiJsonEndpoint, passesBytes, roughTokens } from './openai-json.ts';
import { upstreamRequest } from './upstream-request.ts';

// OpenAI's defaults when the request leaves them out.
const DEFAULT_MODEL = 'dall-e-2';
const DEFAULT_SIZE = '1024x1024';
const DEFAULT_QUALITY = 'standard';

interface ImageOrder {
  prompt: string;
  n: number;
  size?: string;
  quality?: string;
}

function reservation(order: ImageOrder, price: PriceEntry, ppm: number): ReservationInput {
  // Size and quality may be "auto": reserve the dearest image the model has.
  const unit = maxImageUnitPrice(price.extra);
  if (unit !== null) return { amount: imagesCost(unit, order.n, price, ppm) };
  return { promptTokens: roughTokens(order.prompt), maxTokens: price.defaultMaxTokens * order.n };
}

/** Images actually returned, at the size and quality the upstream reports (else the request's). */
function bill(answer: unknown, order: ImageOrder, call: Call): Billing {
  const a = asRecord(answer);
  const u = asRecord(a.usage);
  const usage = typeof u.input_tokens === 'number' ? { ...ZERO_USAGE, input: count(u.input_tokens), output: count(u.output_tokens) } : null;
  const price = call.price;
  // No price: an ADMIN_KEY call let through unpriced (server/relay/admission.ts).
  if (!price) return usage ? { usage } : { usage: ZERO_USAGE, estimated: true };
  const size = typeof a.size === 'string' ? a.size : order.size ?? DEFAULT_SIZE;
  const quality = typeof a.quality === 'string' ? a.quality : order.quality ?? DEFAULT_QUALITY;
  const unit = imageUnitPrice(price.extra, size, quality);
  const n = Array.isArray(a.data) ? a.data.length : order.n;
  if (unit !== null) return { usage, cost: imagesCost(unit, n, price, call.multiplierPpm) };
  return usage ? { usage } : { usage: ZERO_USAGE, estimated: true };
}

const GenerationsSchema = v.looseObject({
  model: v.optional(v.pipe(v.string('model must be a string'), v.nonEmpty('model must not be empty')), DEFAULT_MODEL),
  prompt: v.pipe(v.string('prompt is required and must be a string'), v.nonEmpty('prompt must not be empty')),
  n: v.optional(v.pipe(v.number('n must be a number'), v.integer('n must be an integer'), v.minValue(1, 'n must be at least 1')), 1),
  size: v.optional(v.string('size must be a string')),
  quality: v.optional(v.string('quality must be a string')),
  stream: v.optional(v.nullable(v.literal(false, 'stream: streamed image generation is not supported by this gateway'))),
});

export const imageGenerationsEndpoint = openaiJsonEndpoint<v.InferOutput<typeof GenerationsSchema>>({
  endpoint: 'images/generations',
  schema: GenerationsSchema,
  reservation,
  bill,
});

interface EditCall extends ImageOrder {
  body: MultipartBody;
  model: string;
}

export const imageEditsEndpoint: RelayEndpoint<EditCall> = {
  name: 'images/edits',
  async parse(raw, request) {
    const body = await parseMultipart(raw, request);
    const { form } = body;
    requiredFile(form, 'image', 'image[]');
    if (textField(form, 'stream') === 'true') throw badRequest('stream: streamed image edits are not supported by this gateway.', 'invalid_request');
    return {
      body,
      model: textField(form, 'model')?.trim() || DEFAULT_MODEL,
      prompt: requiredText(form, 'prompt'),
      n: intField(form, 'n', 1),
      size: textField(form, 'size'),
      quality: textField(form, 'quality'),
    };
  },
  model: (req) => req.model,
  stream: () => false,
  supports: passesBytes,
  reservation,
  async upstream({ channel, target, raw, req, upstreamModel }) {
    const { bytes, contentType } = await multipartBodyFor(raw, req.body, upstreamModel);
    return upstreamRequest(channel, target, { endpoint: 'images/edits', model: upstreamModel, stream: false, body: bytes, contentType });
  },
  respond: billedJson((json, req, call) => bill(json, req, call)),
};
