// valibot schemas for relay request bodies. Loose objects: fields the gateway does not
// read pass through untouched.
import * as v from 'valibot';
import { RelayError } from './protocols/openai/errors.ts';

import { MAX_TOKENS } from './protocols/openai/types.ts';

export { MAX_TOKENS };

const positiveInt = (name: string) =>
  v.optional(v.nullable(v.pipe(v.number(`${name} must be a number`), v.integer(`${name} must be an integer`), v.minValue(1, `${name} must be at least 1`), v.maxValue(MAX_TOKENS, `${name} must be at most ${MAX_TOKENS}`))));

/** `n` choices: OpenAI accepts 1–128 (a larger value is refused with 400 there too). */
export const MAX_CHOICES = 128;
export const choicesField = (name: string, max = MAX_CHOICES) =>
  v.optional(v.nullable(v.pipe(v.number(`${name} must be a number`), v.integer(`${name} must be an integer`), v.minValue(1, `${name} must be at least 1`), v.maxValue(max, `${name} must be at most ${max}`))));

const ContentPart = v.looseObject({ type: v.string('content part type must be a string') });

export const ChatRequestSchema = v.looseObject({
  model: v.pipe(v.string('model is required and must be a string'), v.nonEmpty('model must not be empty')),
  messages: v.pipe(
    v.array(
      v.looseObject({
        role: v.picklist(['system', 'developer', 'user', 'assistant', 'tool', 'function'], 'role must be one of system, developer, user, assistant, tool'),
        content: v.optional(v.nullable(v.union([v.string(), v.array(ContentPart)], 'content must be a string or an array of content parts'))),
      }),
      'messages is required and must be an array',
    ),
    v.minLength(1, 'messages must contain at least one message'),
  ),
  stream: v.optional(v.nullable(v.boolean('stream must be a boolean'))),
  stream_options: v.optional(v.nullable(v.looseObject({ include_usage: v.optional(v.nullable(v.boolean())) }))),
  max_tokens: positiveInt('max_tokens'),
  max_completion_tokens: positiveInt('max_completion_tokens'),
  n: choicesField('n'),
});

/** Validate or throw a 400 naming the field and the problem. */
export function validate<T extends v.GenericSchema>(schema: T, input: unknown): v.InferOutput<T> {
  const r = v.safeParse(schema, input, { abortEarly: true });
  if (r.success) return r.output;
  const issue = r.issues[0];
  const path = v.getDotPath(issue);
  throw new RelayError(400, path && !issue.message.startsWith(path) ? `${path}: ${issue.message}` : issue.message, 'invalid_request_error', 'invalid_request');
}
