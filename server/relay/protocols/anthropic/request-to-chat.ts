// Anthropic Messages request → OpenAI chat request.
// cache_control and thinking blocks are dropped here: only a native Anthropic channel
// (byte passthrough) can honour them.
import type { ChatContentPart, ChatMessage, ChatRequest, ToolCall } from '../openai/types.ts';
import { ConversionError, effortForBudget } from '../types.ts';
import {
  isCustomTool,
  isKnownBlock,
  type AnthropicBlock,
  type AnthropicMessage,
  type CountTokensRequest,
  type ImageBlockT,
  type MessagesRequest,
} from './schema.ts';

export function requestToChat(req: MessagesRequest, model: string, stream = req.stream === true): ChatRequest {
  const chat: ChatRequest = { ...toChatInput(req, model), max_tokens: req.max_tokens };
  if (stream) {
    chat.stream = true;
    // Usage only arrives on a streamed chat response when asked for; message_delta needs it.
    chat.stream_options = { include_usage: true };
  }
  if (req.stop_sequences?.length) chat.stop = req.stop_sequences;
  if (req.temperature !== undefined) chat.temperature = req.temperature;
  if (req.top_p !== undefined) chat.top_p = req.top_p;
  if (req.metadata?.user_id) chat.user = req.metadata.user_id;
  const format = req.output_config?.format ?? req.output_format;
  if (format) chat.response_format = responseFormat(format);
  return chat;
}

/** The part shared with count_tokens: messages, system, tools, tool choice, reasoning. */
export function toChatInput(req: CountTokensRequest, model: string): ChatRequest {
  const messages: ChatMessage[] = [];
  const system = systemText(req.system);
  if (system) messages.push({ role: 'system', content: system });
  for (const message of req.messages) messages.push(...convertMessage(message));

  const chat: ChatRequest = { model, messages };
  if (req.tools?.length) {
    chat.tools = req.tools.map((tool) => {
      if (!isCustomTool(tool)) {
        throw new ConversionError(`Tool "${tool.name}" of type "${String(tool.type)}" is an Anthropic server tool and needs an Anthropic channel.`);
      }
      const fn: { name: string; description?: string; parameters: unknown } = { name: tool.name, parameters: tool.input_schema };
      if (tool.description) fn.description = tool.description;
      return { type: 'function' as const, function: fn };
    });
  }
  const choice = req.tool_choice;
  if (choice) {
    if (choice.type === 'auto') chat.tool_choice = 'auto';
    else if (choice.type === 'any') chat.tool_choice = 'required';
    else if (choice.type === 'none') chat.tool_choice = 'none';
    else chat.tool_choice = { type: 'function', function: { name: choice.name } };
    if ('disable_parallel_tool_use' in choice && choice.disable_parallel_tool_use) chat.parallel_tool_calls = false;
  }
  const effort = reasoningEffort(req);
  if (effort) chat.reasoning_effort = effort;
  return chat;
}

/**
 * Structured outputs (`output_config.format`, or the beta's `output_format`) → OpenAI
 * response_format. Anthropic's schema is already JSON Schema; OpenAI wants it named.
 */
function responseFormat(format: { type: string; schema?: unknown }): Record<string, unknown> {
  if (format.type === 'json_schema' && format.schema && typeof format.schema === 'object') {
    return { type: 'json_schema', json_schema: { name: 'output', schema: format.schema, strict: true } };
  }
  throw new ConversionError(`output_config.format: type "${format.type}" is not supported; use "json_schema" with a schema.`);
}

function systemText(system: CountTokensRequest['system']): string {
  if (system === undefined) return '';
  if (typeof system === 'string') return system;
  return system.map((block) => block.text).join('\n\n');
}

function reasoningEffort(req: CountTokensRequest): string | undefined {
  // output_config.effort is Anthropic's own effort knob; xhigh/max have no OpenAI equivalent above high.
  const effort = req.output_config?.effort;
  if (effort) return effort === 'low' || effort === 'medium' || effort === 'high' ? effort : 'high';
  if (req.thinking?.type === 'enabled' && 'budget_tokens' in req.thinking) {
    return effortForBudget(req.thinking.budget_tokens as number);
  }
  return undefined;
}

function convertMessage(message: AnthropicMessage): ChatMessage[] {
  if (message.role === 'system') return [{ role: 'system', content: midConversationSystem(message.content) }];
  if (typeof message.content === 'string') return [{ role: message.role, content: message.content }];
  return message.role === 'assistant' ? [convertAssistant(message.content)] : convertUser(message.content);
}

function convertAssistant(blocks: AnthropicBlock[]): ChatMessage {
  let text = '';
  const toolCalls: ToolCall[] = [];
  for (const block of blocks) {
    if (!isKnownBlock(block)) throw unsupported(block.type);
    switch (block.type) {
      case 'text':
        text += block.text;
        break;
      case 'tool_use':
        toolCalls.push({ id: block.id, type: 'function', function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) } });
        break;
      case 'thinking':
      case 'redacted_thinking':
        break; // signed for Anthropic only; other vendors cannot verify or reuse it
      default:
        throw unsupported(block.type, 'assistant');
    }
  }
  const out: ChatMessage = { role: 'assistant', content: text || (toolCalls.length ? null : '') };
  if (toolCalls.length) out.tool_calls = toolCalls;
  return out;
}

// tool_result blocks become `tool` messages, which OpenAI wants right after the assistant's
// tool calls, so they go first; the rest of the turn follows as one user message.
function convertUser(blocks: AnthropicBlock[]): ChatMessage[] {
  const toolMessages: ChatMessage[] = [];
  const parts: ChatContentPart[] = [];
  for (const block of blocks) {
    if (!isKnownBlock(block)) throw unsupported(block.type);
    switch (block.type) {
      case 'text':
        parts.push({ type: 'text', text: block.text });
        break;
      case 'image':
        parts.push(imagePart(block));
        break;
      case 'document':
        parts.push(documentPart(block));
        break;
      case 'tool_result': {
        const { text, images } = toolResultContent(block.content);
        toolMessages.push({ role: 'tool', tool_call_id: block.tool_use_id, content: text });
        // OpenAI tool messages carry text only; images returned by a tool ride in the user turn.
        parts.push(...images);
        break;
      }
      default:
        throw unsupported(block.type, 'user');
    }
  }
  const out = [...toolMessages];
  if (parts.length) {
    const onlyText = parts.every((p) => p.type === 'text');
    out.push({ role: 'user', content: onlyText ? parts.map((p) => (p as { text: string }).text).join('\n') : parts });
  }
  return out;
}

function imagePart(block: ImageBlockT): ChatContentPart {
  const src = block.source;
  if (src.type === 'base64') return { type: 'image_url', image_url: { url: `data:${src.media_type};base64,${src.data}` } };
  if (src.type === 'url') return { type: 'image_url', image_url: { url: src.url } };
  throw new ConversionError('Image blocks with a Files API source (file_id) need an Anthropic channel.');
}

function documentPart(block: Extract<AnthropicBlock, { type: 'document' }>): ChatContentPart {
  const src = block.source as { type: string; media_type?: string; data?: string };
  if (src.type === 'text' && typeof src.data === 'string') return { type: 'text', text: src.data };
  if (src.type === 'base64' && typeof src.data === 'string') {
    const file: Record<string, string> = { file_data: `data:${src.media_type};base64,${src.data}` };
    if (block.title) file.filename = block.title;
    return { type: 'file', file };
  }
  throw new ConversionError(`Document blocks with a "${src.type}" source need an Anthropic channel.`);
}

function toolResultContent(content: Extract<AnthropicBlock, { type: 'tool_result' }>['content']): { text: string; images: ChatContentPart[] } {
  if (content === undefined) return { text: '', images: [] };
  if (typeof content === 'string') return { text: content, images: [] };
  const texts: string[] = [];
  const images: ChatContentPart[] = [];
  for (const block of content) {
    if (block.type === 'text') texts.push((block as { text: string }).text);
    else if (block.type === 'image') images.push(imagePart(block as ImageBlockT));
    else throw unsupported(block.type, 'tool_result');
  }
  return { text: texts.join('\n'), images };
}

/**
 * A mid-conversation system message stays a system message at the same place. Only text
 * converts; anything else is refused in the words Anthropic uses for the beta, which makes
 * Claude Code drop the beta and resend the content as <system-reminder> text.
 */
function midConversationSystem(content: AnthropicMessage['content']): string {
  if (typeof content === 'string') return content;
  const texts: string[] = [];
  for (const block of content) {
    if (block.type !== 'text') {
      throw new ConversionError(`messages: system messages may only contain text blocks on this model; the mid-conversation-system-2026-04-07 anthropic-beta is not supported for block type "${block.type}".`);
    }
    texts.push((block as { text: string }).text);
  }
  return texts.join('\n\n');
}

function unsupported(type: string, where?: string): ConversionError {
  const place = where ? ` in ${where} content` : '';
  return new ConversionError(`Content block type "${type}"${place} cannot be converted to OpenAI chat; it needs an Anthropic channel.`);
}
