// POST /v1/embeddings: billed by the input tokens the upstream reports. Float and base64
// vectors pass through untouched, batches included.
import * as v from 'valibot';
import { countTokens } from '../../billing/estimate.ts';
import { meterOpenAIUsage, ZERO_USAGE, type Usage } from '../protocols/openai/types.ts';
import { type JsonEndpointSpec, openaiJsonEndpoint, roughTokens } from './openai-json.ts';

const Input = v.union(
  [v.pipe(v.string(), v.nonEmpty('input must not be empty')), v.pipe(v.array(v.union([v.string(), v.number(), v.array(v.number())])), v.minLength(1, 'input must not be empty'))],
  'input is required: a string, an array of strings, or token arrays',
);

const EmbeddingsSchema = v.looseObject({
  model: v.pipe(v.string('model is required and must be a string'), v.nonEmpty('model must not be empty')),
  input: Input,
  encoding_format: v.optional(v.picklist(['float', 'base64'], 'encoding_format must be "float" or "base64"')),
});

type EmbeddingsBody = v.InferOutput<typeof EmbeddingsSchema>;

function localTokens(input: EmbeddingsBody['input']): number {
  if (typeof input === 'string') return countTokens(input);
  return input.reduce<number>((n, x) => n + (typeof x === 'string' ? countTokens(x) : Array.isArray(x) ? x.length : 1), 0);
}

const spec: JsonEndpointSpec<EmbeddingsBody> = {
  endpoint: 'embeddings',
  schema: EmbeddingsSchema,
  reservation: (body) => ({ promptTokens: roughTokens(body.input), maxTokens: 0 }),
  bill(answer, body) {
    // Embedding usage has no completion_tokens; meterOpenAIUsage reads prompt_tokens.
    const usage = meterOpenAIUsage((answer as { usage?: Usage }).usage);
    return usage ? { usage } : { usage: { ...ZERO_USAGE, input: localTokens(body.input) }, estimated: true };
  },
};

export const embeddingsEndpoint = openaiJsonEndpoint(spec);
