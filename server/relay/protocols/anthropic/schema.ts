// Valibot schema for an inbound Anthropic Messages request (`POST /v1/messages`).
// Known block and tool shapes are checked strictly so a malformed body gets a precise 400.
// Unknown block/tool types (server tools, newer blocks) pass: an Anthropic channel serves
// them natively, and toChat() refuses them with a ConversionError otherwise.
import * as v from 'valibot';
import { MAX_TOKENS } from '../openai/types.ts';

const CacheControl = v.optional(v.nullable(v.looseObject({ type: v.string() })));

const TextBlock = v.looseObject({ type: v.literal('text'), text: v.string(), cache_control: CacheControl });

const ImageSource = v.variant('type', [
  v.looseObject({
    type: v.literal('base64'),
    media_type: v.picklist(['image/jpeg', 'image/png', 'image/gif', 'image/webp']),
    data: v.string(),
  }),
  v.looseObject({ type: v.literal('url'), url: v.pipe(v.string(), v.url()) }),
  v.looseObject({ type: v.literal('file'), file_id: v.string() }),
]);
const ImageBlock = v.looseObject({ type: v.literal('image'), source: ImageSource, cache_control: CacheControl });

const DocumentSource = v.variant('type', [
  v.looseObject({ type: v.literal('base64'), media_type: v.string(), data: v.string() }),
  v.looseObject({ type: v.literal('text'), media_type: v.optional(v.string()), data: v.string() }),
  v.looseObject({ type: v.literal('url'), url: v.string() }),
  v.looseObject({ type: v.literal('file'), file_id: v.string() }),
  v.looseObject({ type: v.literal('content'), content: v.unknown() }),
]);
const DocumentBlock = v.looseObject({
  type: v.literal('document'),
  source: DocumentSource,
  title: v.optional(v.nullable(v.string())),
  cache_control: CacheControl,
});

const ToolUseBlock = v.looseObject({
  type: v.literal('tool_use'),
  id: v.pipe(v.string(), v.minLength(1)),
  name: v.pipe(v.string(), v.minLength(1)),
  input: v.unknown(),
  cache_control: CacheControl,
});

const ToolResultBlock = v.looseObject({
  type: v.literal('tool_result'),
  tool_use_id: v.pipe(v.string(), v.minLength(1)),
  content: v.optional(v.union([v.string(), v.array(v.variant('type', [TextBlock, ImageBlock, v.looseObject({ type: v.pipe(v.string(), v.notValues(['text', 'image'])) })]))])),
  is_error: v.optional(v.boolean()),
  cache_control: CacheControl,
});

const ThinkingBlock = v.looseObject({ type: v.literal('thinking'), thinking: v.string(), signature: v.optional(v.string()) });
const RedactedThinkingBlock = v.looseObject({ type: v.literal('redacted_thinking'), data: v.string() });

const KNOWN_BLOCKS = ['text', 'image', 'document', 'tool_use', 'tool_result', 'thinking', 'redacted_thinking'];
const OtherBlock = v.looseObject({ type: v.pipe(v.string(), v.notValues(KNOWN_BLOCKS)) });

const ContentBlock = v.variant('type', [
  TextBlock,
  ImageBlock,
  DocumentBlock,
  ToolUseBlock,
  ToolResultBlock,
  ThinkingBlock,
  RedactedThinkingBlock,
  OtherBlock,
]);

// `system` inside `messages` is Anthropic's mid-conversation system message
// (beta `mid-conversation-system-2026-04-07`, sent by Claude Code for its harness context).
const Message = v.looseObject({
  role: v.picklist(['user', 'assistant', 'system'], 'role must be "user", "assistant" or "system"'),
  content: v.union([v.string(), v.array(ContentBlock)], 'content must be a string or an array of content blocks'),
});

// A custom tool has input_schema; server tools (web_search_…, bash_…) carry a versioned type instead.
const CustomTool = v.looseObject({
  type: v.optional(v.nullable(v.literal('custom'))),
  name: v.pipe(v.string(), v.minLength(1)),
  description: v.optional(v.string()),
  input_schema: v.looseObject({ type: v.literal('object') }),
  cache_control: CacheControl,
});
const ServerTool = v.looseObject({ type: v.pipe(v.string(), v.notValues(['custom'])), name: v.string() });
const Tool = v.union([CustomTool, ServerTool], 'each tool needs a name and an input_schema of type "object" (or a server tool type)');

const ToolChoice = v.variant('type', [
  v.looseObject({ type: v.literal('auto'), disable_parallel_tool_use: v.optional(v.boolean()) }),
  v.looseObject({ type: v.literal('any'), disable_parallel_tool_use: v.optional(v.boolean()) }),
  v.looseObject({ type: v.literal('tool'), name: v.string(), disable_parallel_tool_use: v.optional(v.boolean()) }),
  v.looseObject({ type: v.literal('none') }),
]);

const Thinking = v.variant('type', [
  v.looseObject({ type: v.literal('enabled'), budget_tokens: v.pipe(v.number(), v.integer(), v.minValue(0)) }),
  v.looseObject({ type: v.literal('disabled') }),
  v.looseObject({ type: v.literal('adaptive') }),
  v.looseObject({ type: v.pipe(v.string(), v.notValues(['enabled', 'disabled', 'adaptive'])) }),
]);

// Structured outputs: https://docs.claude.com/en/docs/build-with-claude/structured-outputs
const OutputFormat = v.looseObject({ type: v.string(), schema: v.optional(v.unknown()) });

const System = v.union([v.string(), v.array(TextBlock)], 'system must be a string or an array of text blocks');

const common = {
  model: v.pipe(v.string(), v.minLength(1, 'model is required')),
  messages: v.array(Message),
  system: v.optional(System),
  tools: v.optional(v.array(Tool)),
  tool_choice: v.optional(ToolChoice),
  thinking: v.optional(Thinking),
  output_config: v.optional(v.looseObject({ effort: v.optional(v.nullable(v.string())), format: v.optional(v.nullable(OutputFormat)) })),
  /** The structured-outputs beta's spelling of output_config.format. */
  output_format: v.optional(v.nullable(OutputFormat)),
};

export const MessagesRequestSchema = v.looseObject({
  ...common,
  max_tokens: v.pipe(v.number('max_tokens is required'), v.integer(), v.minValue(1), v.maxValue(MAX_TOKENS, `max_tokens must be at most ${MAX_TOKENS}`)),
  stream: v.optional(v.boolean()),
  stop_sequences: v.optional(v.array(v.string())),
  temperature: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(1))),
  top_p: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(1))),
  top_k: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  metadata: v.optional(v.looseObject({ user_id: v.optional(v.nullable(v.string())) })),
});

/** `POST /v1/messages/count_tokens` takes the same input without generation settings. */
export const CountTokensRequestSchema = v.looseObject(common);

export type MessagesRequest = v.InferOutput<typeof MessagesRequestSchema>;
export type CountTokensRequest = v.InferOutput<typeof CountTokensRequestSchema>;
export type AnthropicMessage = v.InferOutput<typeof Message>;
export type AnthropicBlock = v.InferOutput<typeof ContentBlock>;
export type AnthropicTool = v.InferOutput<typeof Tool>;
export type CustomToolDef = v.InferOutput<typeof CustomTool>;
export type TextBlockT = v.InferOutput<typeof TextBlock>;
export type ImageBlockT = v.InferOutput<typeof ImageBlock>;
export type KnownBlock =
  | TextBlockT
  | ImageBlockT
  | v.InferOutput<typeof DocumentBlock>
  | v.InferOutput<typeof ToolUseBlock>
  | v.InferOutput<typeof ToolResultBlock>
  | v.InferOutput<typeof ThinkingBlock>
  | v.InferOutput<typeof RedactedThinkingBlock>;

// The catch-all block type is `string`, which defeats TypeScript's narrowing; these guards restore it.
export function isKnownBlock(block: { type: string }): block is KnownBlock {
  return KNOWN_BLOCKS.includes(block.type);
}

export function isCustomTool(tool: AnthropicTool): tool is CustomToolDef {
  return (tool.type === undefined || tool.type === null || tool.type === 'custom') && 'input_schema' in tool;
}
