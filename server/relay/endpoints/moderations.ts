// POST /v1/moderations: free at OpenAI, so served without a price row and logged at cost
// 0. When the operator prices the model, the call costs its per-request price plus the
// input tokens (counted locally: moderation answers report no usage).
import * as v from 'valibot';
import { countTokens } from '../../billing/estimate.ts';
import { ZERO_USAGE } from '../protocols/openai/types.ts';
import { openaiJsonEndpoint, roughTokens } from './openai-json.ts';

// OpenAI's default model when the request names none.
const DEFAULT_MODEL = 'omni-moderation-latest';

const ModerationsSchema = v.looseObject({
  model: v.optional(v.pipe(v.string('model must be a string'), v.nonEmpty('model must not be empty')), DEFAULT_MODEL),
  input: v.union([v.string(), v.pipe(v.array(v.union([v.string(), v.looseObject({ type: v.string() })])), v.minLength(1, 'input must not be empty'))], 'input is required: a string, an array of strings, or content parts'),
});

function inputText(input: v.InferOutput<typeof ModerationsSchema>['input']): string {
  if (typeof input === 'string') return input;
  return input.map((x) => (typeof x === 'string' ? x : typeof x.text === 'string' ? x.text : '')).join('\n');
}

export const moderationsEndpoint = openaiJsonEndpoint({
  endpoint: 'moderations',
  schema: ModerationsSchema,
  free: true,
  reservation: (body) => ({ promptTokens: roughTokens(inputText(body.input)), maxTokens: 0 }),
  bill: (_answer, body, call) => (call.price ? { usage: { ...ZERO_USAGE, input: countTokens(inputText(body.input)) }, estimated: true } : { usage: null, cost: 0n }),
});
