// OpenAI chat request → Anthropic Messages request.
import type { ChatContentPart, ChatMessage, ChatRequest } from '../openai/types.ts';
import { contentParts, contentText, imageUrlOf, isSystemRole, toAlternatingTurns } from '../shared/content.ts';
import { parseDataUrl } from '../shared/data-url.ts';
import { parseArguments } from '../shared/json.ts';
import type { AnthropicBlock, AnthropicMessage, AnthropicRequest, AnthropicSource, AnthropicToolChoice } from './wire.ts';

/** Anthropic requires max_tokens; OpenAI clients usually omit it. */
export function defaultMaxTokens(model: string): number {
  return /claude-3-(haiku|opus|sonnet)/.test(model) || /claude-(instant|2)/.test(model) ? 4096 : 8192;
}

const THINKING_BUDGET: Record<string, number> = { minimal: 1024, low: 2048, medium: 8192, high: 24576 };

export function requestFromChat(req: ChatRequest): AnthropicRequest {
  const out: AnthropicRequest = {
    model: req.model,
    max_tokens: req.max_completion_tokens ?? req.max_tokens ?? defaultMaxTokens(req.model),
    messages: toMessages(req.messages),
  };
  const system = toSystem(req.messages);
  if (system !== undefined) out.system = system;
  if (req.temperature != null) out.temperature = req.temperature;
  if (req.top_p != null) out.top_p = req.top_p;
  if (typeof req.top_k === 'number') out.top_k = req.top_k;
  if (req.stop != null) out.stop_sequences = Array.isArray(req.stop) ? req.stop : [req.stop];
  if (req.stream) out.stream = true;
  if (req.user) out.metadata = { user_id: req.user };
  if (req.tools?.length) {
    out.tools = req.tools.map((t) => ({
      name: t.function.name,
      ...(t.function.description ? { description: t.function.description } : {}),
      input_schema: t.function.parameters ?? { type: 'object', properties: {} },
    }));
  }
  const choice = toToolChoice(req);
  if (choice) out.tool_choice = choice;
  applyThinking(req, out);
  return out;
}

function toSystem(messages: ChatMessage[]): AnthropicRequest['system'] {
  const parts = messages.filter((m) => isSystemRole(m.role)).flatMap((m) => contentParts(m.content));
  if (parts.length === 0) return undefined;
  // Keep blocks when the client marked cache breakpoints; a plain string otherwise.
  if (parts.some((p) => 'cache_control' in p)) {
    return parts.filter((p) => p.type === 'text').map((p) => ({ type: 'text', text: String((p as { text?: unknown }).text ?? ''), ...cacheControl(p) }));
  }
  return parts.map((p) => (p.type === 'text' ? String((p as { text?: unknown }).text ?? '') : '')).filter(Boolean).join('\n\n');
}

function toMessages(messages: ChatMessage[]): AnthropicMessage[] {
  return toAlternatingTurns<AnthropicBlock>(messages, { assistant: assistantBlocks, toolResult, user: userBlocks });
}

function userBlocks(m: ChatMessage): AnthropicBlock[] {
  return contentParts(m.content).flatMap((p): AnthropicBlock[] => {
    if (p.type === 'text') return typeof p.text === 'string' && p.text ? [{ type: 'text', text: p.text, ...cacheControl(p) }] : [];
    const url = imageUrlOf(p);
    if (url) return [{ type: 'image', source: toSource(url), ...cacheControl(p) }];
    const file = fileData(p);
    if (file) return [{ type: 'document', source: toSource(file) }];
    return [];
  });
}

function assistantBlocks(m: ChatMessage): AnthropicBlock[] {
  const blocks: AnthropicBlock[] = [];
  const text = contentText(m.content);
  if (text) blocks.push({ type: 'text', text });
  for (const call of m.tool_calls ?? []) {
    blocks.push({ type: 'tool_use', id: call.id, name: call.function.name, input: parseArguments(call.function.arguments) });
  }
  return blocks;
}

function toolResult(m: ChatMessage): AnthropicBlock {
  const parts = contentParts(m.content);
  const hasImage = parts.some((p) => imageUrlOf(p));
  return {
    type: 'tool_result',
    tool_use_id: m.tool_call_id ?? m.name ?? '',
    content: hasImage ? userBlocks(m) : contentText(m.content),
  };
}

function toSource(url: string): AnthropicSource {
  const inline = parseDataUrl(url);
  return inline ? { type: 'base64', media_type: inline.mediaType, data: inline.data } : { type: 'url', url };
}

/** OpenAI's `file` part (PDF input) as a data URL, if it carries one. */
function fileData(p: ChatContentPart): string | undefined {
  if (p.type !== 'file') return undefined;
  const f = (p as { file?: { file_data?: unknown } }).file;
  return typeof f?.file_data === 'string' ? f.file_data : undefined;
}

function cacheControl(p: ChatContentPart): { cache_control?: unknown } {
  return 'cache_control' in p && p.cache_control ? { cache_control: p.cache_control } : {};
}

function toToolChoice(req: ChatRequest): AnthropicToolChoice | undefined {
  const c = req.tool_choice;
  const noParallel = req.parallel_tool_calls === false ? { disable_parallel_tool_use: true } : {};
  if (c === 'none') return { type: 'none' };
  if (c === 'required') return { type: 'any', ...noParallel };
  if (c && typeof c === 'object') return { type: 'tool', name: c.function.name, ...noParallel };
  if (c === 'auto' || (req.tools?.length && req.parallel_tool_calls === false)) return { type: 'auto', ...noParallel };
  return undefined;
}

/** `reasoning_effort` (or a raw `thinking` object) turns on extended thinking. */
function applyThinking(req: ChatRequest, out: AnthropicRequest): void {
  const raw = req.thinking as AnthropicRequest['thinking'] | undefined;
  const budget = req.reasoning_effort ? THINKING_BUDGET[req.reasoning_effort] : undefined;
  const thinking = raw ?? (budget ? { type: 'enabled' as const, budget_tokens: budget } : undefined);
  if (!thinking) return;
  out.thinking = thinking;
  if (thinking.type !== 'enabled') return;
  // Thinking needs room beyond its budget and rejects sampling overrides.
  if (out.max_tokens <= thinking.budget_tokens) out.max_tokens = thinking.budget_tokens + defaultMaxTokens(req.model);
  delete out.temperature;
  delete out.top_p;
  delete out.top_k;
}
