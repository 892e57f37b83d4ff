// OpenAI Responses request → OpenAI chat request.
// Items map to messages in order: consecutive function_call items join one assistant message,
// function_call_output items become `tool` messages, reasoning items are dropped (their
// encrypted content is only readable by the OpenAI project that produced it).
import type { ChatContentPart, ChatMessage, ChatRequest } from '../openai/types.ts';
import { ConversionError } from '../types.ts';
import { toolPlan, type ToolPlan } from './tools.ts';
import { isKnownPart, type ContentPartT, type InputItemT, type MessageItemT, type ResponsesRequest } from './schema.ts';

export function requestToChat(req: ResponsesRequest, model: string, stream = req.stream === true): ChatRequest {
  const messages: ChatMessage[] = [];
  // Instructions are the system prompt; OpenAI inserts them ahead of the input.
  if (req.instructions) messages.push({ role: 'system', content: req.instructions });
  const plan = toolPlan(req);
  if (typeof req.input === 'string') messages.push({ role: 'user', content: req.input });
  else for (const item of req.input) appendItem(messages, item, plan);

  const chat: ChatRequest = { model, messages };
  if (stream) {
    chat.stream = true;
    chat.stream_options = { include_usage: true };
  }
  if (req.max_output_tokens != null) chat.max_tokens = req.max_output_tokens;
  if (req.temperature != null) chat.temperature = req.temperature;
  if (req.top_p != null) chat.top_p = req.top_p;
  if (req.parallel_tool_calls != null) chat.parallel_tool_calls = req.parallel_tool_calls;
  const user = req.safety_identifier ?? req.user;
  if (user) chat.user = user;
  if (req.reasoning?.effort) chat.reasoning_effort = req.reasoning.effort;
  const format = req.text?.format;
  if (format?.type === 'json_object') chat.response_format = { type: 'json_object' };
  if (format?.type === 'json_schema') {
    const { name, schema, description, strict } = format as { name: string; schema: unknown; description?: string; strict?: boolean | null };
    chat.response_format = { type: 'json_schema', json_schema: { name, schema, ...(description ? { description } : {}), ...(strict != null ? { strict } : {}) } };
  }
  // Hosted tools are left out here; the endpoint drops them (header + log) or refuses them in strict mode.
  if (plan.tools.length) chat.tools = plan.tools;
  if (req.tool_choice !== undefined) {
    chat.tool_choice = convertToolChoice(req.tool_choice, plan);
    const allowed = allowedNames(req.tool_choice);
    // Chat has no allow-list, so the allow-list becomes the tool list.
    if (allowed && chat.tools) chat.tools = chat.tools.filter((t) => allowed.has(plan.byChatName.get(t.function.name)?.name ?? t.function.name));
  }
  return chat;
}

function appendItem(messages: ChatMessage[], item: InputItemT, plan: ToolPlan): void {
  const type = item.type;
  if (type === 'message') {
    messages.push(convertMessage(item as MessageItemT));
  } else if (type === 'function_call' || type === 'custom_tool_call') {
    const { call_id, name, namespace } = item as { call_id: string; name: string; namespace?: string };
    const args = type === 'custom_tool_call' ? JSON.stringify({ input: String((item as { input?: unknown }).input ?? '') }) : (item as { arguments: string }).arguments;
    if (!call_id || !name) throw new ConversionError(`${type} input items need call_id and name.`);
    const call = { id: call_id, type: 'function' as const, function: { name: plan.chatName(name, namespace), arguments: args } };
    const last = messages[messages.length - 1];
    // Parallel calls arrive as sibling items; chat wants them on one assistant message.
    if (last?.role === 'assistant') (last.tool_calls ??= []).push(call);
    else messages.push({ role: 'assistant', content: null, tool_calls: [call] });
  } else if (type === 'function_call_output' || type === 'custom_tool_call_output') {
    const { call_id, output } = item as { call_id: string; output: string | ContentPartT[] };
    const content = typeof output === 'string' ? output : Array.isArray(output) ? output.map((p) => textOf(p) ?? JSON.stringify(p)).join('\n') : JSON.stringify(output ?? '');
    messages.push({ role: 'tool', tool_call_id: call_id, content });
  } else if (type === 'additional_tools') {
    // Its tools are in the plan (chat declares tools once, up front).
  } else if (type === 'reasoning') {
    // dropped: see the header comment
  } else if (type === 'item_reference') {
    throw new ConversionError('item_reference input items need stored responses, which this stateless gateway does not keep; send the item itself.');
  } else {
    throw new ConversionError(`Input item type "${type}" belongs to a built-in tool and cannot be converted to chat completions.`);
  }
}

function convertMessage(item: MessageItemT): ChatMessage {
  // Chat-only vendors rarely know the "developer" role; it means the same as system.
  const role = item.role === 'developer' ? 'system' : item.role;
  if (typeof item.content === 'string') return { role, content: item.content };
  if (role !== 'user') {
    return { role, content: item.content.map((p) => textOf(p) ?? unsupportedPart(p.type, role)).join('') };
  }
  const parts = item.content.map(convertPart);
  return { role, content: parts };
}

function convertPart(part: ContentPartT): ChatContentPart {
  if (!isKnownPart(part)) return unsupportedPart(part.type, 'user');
  switch (part.type) {
    case 'input_text':
    case 'output_text':
      return { type: 'text', text: part.text };
    case 'refusal':
      return { type: 'text', text: part.refusal };
    case 'input_image': {
      if (!part.image_url) throw new ConversionError('input_image with a file_id needs the OpenAI Files API; send image_url (https or data: URL) instead.');
      const image_url: { url: string; detail?: string } = { url: part.image_url };
      if (part.detail && part.detail !== 'auto') image_url.detail = part.detail;
      return { type: 'image_url', image_url };
    }
    case 'input_file': {
      if (!part.file_data) throw new ConversionError('input_file needs inline file_data when converted to chat completions (file_id and file_url are not supported).');
      const file: Record<string, string> = { file_data: part.file_data };
      if (part.filename) file.filename = part.filename;
      return { type: 'file', file };
    }
  }
}

function textOf(part: ContentPartT): string | undefined {
  if (part.type === 'input_text' || part.type === 'output_text') return String((part as { text: unknown }).text);
  if (part.type === 'refusal') return String((part as { refusal: unknown }).refusal);
  return undefined;
}

function unsupportedPart(type: string, role: string): never {
  throw new ConversionError(`Content part "${type}" in a ${role} message cannot be converted to chat completions.`);
}

function convertToolChoice(choice: NonNullable<ResponsesRequest['tool_choice']>, plan: ToolPlan): ChatRequest['tool_choice'] {
  if (typeof choice === 'string') return choice;
  if ((choice.type === 'function' || choice.type === 'custom') && typeof choice.name === 'string') {
    return { type: 'function', function: { name: plan.chatName(choice.name, (choice as { namespace?: string }).namespace) } };
  }
  if (choice.type === 'allowed_tools') return (choice as { mode?: string }).mode === 'required' ? 'required' : 'auto';
  // Forcing a hosted tool: the tool itself is dropped (or refused in strict mode), so let the model choose.
  return 'auto';
}

function allowedNames(choice: NonNullable<ResponsesRequest['tool_choice']>): Set<string> | undefined {
  if (typeof choice === 'string' || choice.type !== 'allowed_tools') return undefined;
  const tools = (choice as { tools?: Array<{ type?: string; name?: string }> }).tools ?? [];
  return new Set(tools.filter((t) => t.type === 'function' && t.name).map((t) => t.name as string));
}
