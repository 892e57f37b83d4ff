// Valibot schema for an inbound OpenAI Responses request (`POST /v1/responses`).
// The gateway is stateless: anything that points at server-side state (previous_response_id,
// conversation, background mode, stored prompts) is refused here, whatever the channel, because
// the next request may be routed to a different channel that never saw that state.
import * as v from 'valibot';
import { MAX_TOKENS } from '../openai/types.ts';

const InputText = v.looseObject({ type: v.literal('input_text'), text: v.string() });
const InputImage = v.looseObject({
  type: v.literal('input_image'),
  image_url: v.optional(v.nullable(v.string())),
  file_id: v.optional(v.nullable(v.string())),
  detail: v.optional(v.picklist(['low', 'high', 'auto', 'original'])),
});
const InputFile = v.looseObject({
  type: v.literal('input_file'),
  file_data: v.optional(v.string()),
  file_id: v.optional(v.nullable(v.string())),
  file_url: v.optional(v.string()),
  filename: v.optional(v.string()),
});
// Assistant turns replayed from an earlier response carry output parts.
const OutputText = v.looseObject({ type: v.literal('output_text'), text: v.string() });
const Refusal = v.looseObject({ type: v.literal('refusal'), refusal: v.string() });

const KNOWN_PARTS = ['input_text', 'input_image', 'input_file', 'output_text', 'refusal'];
const ContentPart = v.variant('type', [
  InputText,
  InputImage,
  InputFile,
  OutputText,
  Refusal,
  v.looseObject({ type: v.pipe(v.string(), v.notValues(KNOWN_PARTS)) }),
]);

const MessageItem = v.looseObject({
  type: v.literal('message'),
  role: v.picklist(['user', 'assistant', 'system', 'developer']),
  content: v.union([v.string(), v.array(ContentPart)], 'message content must be a string or an array of content parts'),
});

const FunctionCallItem = v.looseObject({
  type: v.literal('function_call'),
  call_id: v.pipe(v.string(), v.minLength(1)),
  name: v.pipe(v.string(), v.minLength(1)),
  arguments: v.string(),
});

const FunctionCallOutputItem = v.looseObject({
  type: v.literal('function_call_output'),
  call_id: v.pipe(v.string(), v.minLength(1)),
  output: v.union([v.string(), v.array(ContentPart)]),
});

const OtherItem = v.looseObject({ type: v.pipe(v.string(), v.notValues(['message', 'function_call', 'function_call_output'])) });

// Items without `type` are "easy" messages; tagging them first lets a variant report the
// exact field that is wrong instead of "none of the item shapes matched".
const InputItem = v.pipe(
  v.unknown(),
  v.transform((item) => (item !== null && typeof item === 'object' && !('type' in item) ? { ...item, type: 'message' } : item)),
  v.variant('type', [MessageItem, FunctionCallItem, FunctionCallOutputItem, OtherItem]),
);

const FunctionTool = v.looseObject({
  type: v.literal('function'),
  name: v.pipe(v.string(), v.minLength(1)),
  description: v.optional(v.nullable(v.string())),
  parameters: v.optional(v.nullable(v.record(v.string(), v.unknown()))),
  strict: v.optional(v.nullable(v.boolean())),
});
const OtherTool = v.looseObject({ type: v.pipe(v.string(), v.notValues(['function'])) });

const ToolChoice = v.union([
  v.picklist(['none', 'auto', 'required']),
  v.looseObject({ type: v.literal('function'), name: v.string() }),
  v.looseObject({ type: v.string() }),
]);

const TextFormat = v.variant('type', [
  v.looseObject({ type: v.literal('text') }),
  v.looseObject({ type: v.literal('json_object') }),
  v.looseObject({
    type: v.literal('json_schema'),
    name: v.string(),
    schema: v.record(v.string(), v.unknown()),
    description: v.optional(v.string()),
    strict: v.optional(v.nullable(v.boolean())),
  }),
]);

const stateless = (field: string, why: string) =>
  v.optional(v.custom<undefined>((value) => value === undefined || value === null || value === false, `${field} is not supported: ${why}`));

export const ResponsesRequestSchema = v.looseObject({
  model: v.pipe(v.string(), v.minLength(1, 'model is required')),
  input: v.union([v.string(), v.array(InputItem)], 'input must be a string or an array of input items'),
  instructions: v.optional(v.nullable(v.string())),
  tools: v.optional(v.array(v.variant('type', [FunctionTool, OtherTool]))),
  tool_choice: v.optional(ToolChoice),
  parallel_tool_calls: v.optional(v.nullable(v.boolean())),
  max_output_tokens: v.optional(v.nullable(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(MAX_TOKENS, `max_output_tokens must be at most ${MAX_TOKENS}`)))),
  temperature: v.optional(v.nullable(v.pipe(v.number(), v.minValue(0), v.maxValue(2)))),
  top_p: v.optional(v.nullable(v.pipe(v.number(), v.minValue(0), v.maxValue(1)))),
  text: v.optional(v.nullable(v.looseObject({ format: v.optional(TextFormat) }))),
  reasoning: v.optional(v.nullable(v.looseObject({ effort: v.optional(v.nullable(v.string())) }))),
  stream: v.optional(v.nullable(v.boolean())),
  store: v.optional(v.nullable(v.boolean())),
  user: v.optional(v.string()),
  safety_identifier: v.optional(v.string()),
  metadata: v.optional(v.nullable(v.record(v.string(), v.string()))),
  previous_response_id: stateless(
    'previous_response_id',
    'this gateway is stateless and keeps no responses; send the whole conversation in `input` instead',
  ),
  conversation: stateless('conversation', 'this gateway keeps no conversations; send the whole conversation in `input`'),
  background: stateless('background', 'this gateway cannot run responses in the background; use stream or a plain request'),
  prompt: stateless('prompt', 'stored prompt templates live in one OpenAI project; send the text in `instructions`/`input`'),
});

export type ResponsesRequest = v.InferOutput<typeof ResponsesRequestSchema>;
export type InputItemT = v.InferOutput<typeof InputItem>;
export type ContentPartT = v.InferOutput<typeof ContentPart>;
export type KnownPart =
  | v.InferOutput<typeof InputText>
  | v.InferOutput<typeof InputImage>
  | v.InferOutput<typeof InputFile>
  | v.InferOutput<typeof OutputText>
  | v.InferOutput<typeof Refusal>;
export type MessageItemT = v.InferOutput<typeof MessageItem>;
export type FunctionCallItemT = v.InferOutput<typeof FunctionCallItem>;
export type FunctionCallOutputItemT = v.InferOutput<typeof FunctionCallOutputItem>;
export type FunctionToolT = v.InferOutput<typeof FunctionTool>;

export function isKnownPart(part: { type: string }): part is KnownPart {
  return KNOWN_PARTS.includes(part.type);
}
