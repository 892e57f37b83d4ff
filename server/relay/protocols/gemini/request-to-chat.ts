// Gemini GenerateContentRequest → OpenAI chat request.
// Gemini ties a functionResponse to its call by name (ids are optional), while chat needs a
// tool_call_id; calls without an id get one here and responses claim them in order per name.
import type { ChatContentPart, ChatMessage, ChatRequest, ToolCall } from '../openai/types.ts';
import { ConversionError, effortForBudget } from '../types.ts';
import type { GeminiContent, GeminiPart, GenerateContentRequest } from './schema.ts';

export function requestToChat(req: GenerateContentRequest, model: string, stream = false): ChatRequest {
  if (req.cachedContent) {
    throw new ConversionError('cachedContent refers to a cache stored in one Google project; send the content inline on this channel.');
  }
  const messages: ChatMessage[] = [];
  const system = (req.systemInstruction?.parts ?? []).map((p) => p.text ?? '').filter(Boolean).join('\n');
  if (system) messages.push({ role: 'system', content: system });
  const calls = new CallIds();
  for (const content of req.contents) messages.push(...convertContent(content, calls));

  const chat: ChatRequest = { model, messages };
  if (stream) {
    chat.stream = true;
    chat.stream_options = { include_usage: true };
  }
  applyGenerationConfig(chat, req.generationConfig);
  const declarations = (req.tools ?? []).flatMap((tool) => {
    const other = Object.keys(tool).filter((k) => k !== 'functionDeclarations');
    if (other.length) throw new ConversionError(`Gemini built-in tool "${other[0]}" runs inside Google's API and cannot be used on this channel.`);
    return tool.functionDeclarations ?? [];
  });
  if (declarations.length) {
    chat.tools = declarations.map((d) => {
      const fn: { name: string; description?: string; parameters: unknown } = {
        name: d.name,
        parameters: d.parametersJsonSchema ?? (d.parameters ? toJsonSchema(d.parameters) : { type: 'object', properties: {} }),
      };
      if (d.description) fn.description = d.description;
      return { type: 'function' as const, function: fn };
    });
  }
  const fcc = req.toolConfig?.functionCallingConfig;
  if (fcc?.mode === 'NONE') chat.tool_choice = 'none';
  else if (fcc?.mode === 'ANY') {
    const names = fcc.allowedFunctionNames ?? [];
    chat.tool_choice = names.length === 1 ? { type: 'function', function: { name: names[0]! } } : 'required';
    if (names.length > 1 && chat.tools) chat.tools = chat.tools.filter((t) => names.includes(t.function.name));
  } else if (fcc?.mode === 'AUTO' || fcc?.mode === 'VALIDATED') chat.tool_choice = 'auto';
  return chat;
}

function applyGenerationConfig(chat: ChatRequest, g: GenerateContentRequest['generationConfig']): void {
  if (!g) return;
  if (g.maxOutputTokens !== undefined) chat.max_tokens = g.maxOutputTokens;
  if (g.temperature !== undefined) chat.temperature = g.temperature;
  if (g.topP !== undefined) chat.top_p = g.topP;
  if (g.stopSequences?.length) chat.stop = g.stopSequences;
  if (g.candidateCount && g.candidateCount > 1) chat.n = g.candidateCount;
  if (g.presencePenalty !== undefined) chat.presence_penalty = g.presencePenalty;
  if (g.frequencyPenalty !== undefined) chat.frequency_penalty = g.frequencyPenalty;
  if (g.seed !== undefined) chat.seed = g.seed;
  if (g.responseMimeType === 'application/json') {
    const schema = g.responseJsonSchema ?? (g.responseSchema ? toJsonSchema(g.responseSchema) : undefined);
    chat.response_format = schema ? { type: 'json_schema', json_schema: { name: 'response', schema } } : { type: 'json_object' };
  }
  const thinking = g.thinkingConfig;
  const level = thinking?.thinkingLevel?.toLowerCase();
  const effort = level === 'low' || level === 'medium' || level === 'high' ? level : effortForBudget(thinking?.thinkingBudget);
  if (effort) chat.reasoning_effort = effort;
}

function convertContent(content: GeminiContent, calls: CallIds): ChatMessage[] {
  if (content.role === 'model') {
    let text = '';
    const toolCalls: ToolCall[] = [];
    for (const part of content.parts) {
      if (part.thought) continue; // Gemini's own thoughts; other vendors cannot use them
      if (part.text !== undefined) text += part.text;
      else if (part.functionCall) {
        const { name, args, id } = part.functionCall;
        toolCalls.push({ id: calls.issue(name, id), type: 'function', function: { name, arguments: JSON.stringify(args ?? {}) } });
      } else throw unsupported(part, 'model');
    }
    const msg: ChatMessage = { role: 'assistant', content: text || (toolCalls.length ? null : '') };
    if (toolCalls.length) msg.tool_calls = toolCalls;
    return [msg];
  }
  // user (or the legacy "function" role): function responses first, as chat wants tool
  // messages directly after the assistant's calls.
  const out: ChatMessage[] = [];
  const parts: ChatContentPart[] = [];
  for (const part of content.parts) {
    if (part.functionResponse) {
      const { name, response, id } = part.functionResponse;
      out.push({ role: 'tool', tool_call_id: calls.claim(name, id), content: JSON.stringify(response) });
    } else if (part.text !== undefined) parts.push({ type: 'text', text: part.text });
    else if (part.inlineData) parts.push(inlinePart(part.inlineData.mimeType, part.inlineData.data));
    else if (part.fileData) parts.push(filePart(part.fileData.mimeType, part.fileData.fileUri));
    else throw unsupported(part, 'user');
  }
  if (parts.length) {
    const onlyText = parts.every((p) => p.type === 'text');
    out.push({ role: 'user', content: onlyText ? parts.map((p) => (p as { text: string }).text).join('') : parts });
  }
  return out;
}

function inlinePart(mimeType: string, data: string): ChatContentPart {
  const mime = mimeType.toLowerCase();
  if (mime.startsWith('image/')) return { type: 'image_url', image_url: { url: `data:${mime};base64,${data}` } };
  if (mime === 'audio/wav' || mime === 'audio/x-wav') return { type: 'input_audio', input_audio: { data, format: 'wav' } };
  if (mime === 'audio/mpeg' || mime === 'audio/mp3') return { type: 'input_audio', input_audio: { data, format: 'mp3' } };
  if (mime.startsWith('text/')) return { type: 'text', text: Buffer.from(data, 'base64').toString('utf8') };
  return { type: 'file', file: { file_data: `data:${mime};base64,${data}` } };
}

function filePart(mimeType: string | undefined, uri: string): ChatContentPart {
  // Files API URIs need a Google key to read, so only public image URLs survive the trip.
  if (mimeType?.startsWith('image/') && /^https?:\/\//.test(uri) && !uri.includes('generativelanguage.googleapis.com')) {
    return { type: 'image_url', image_url: { url: uri } };
  }
  throw new ConversionError(`fileData (${mimeType ?? 'unknown type'}) points at a file only Google can read; send it as inlineData instead.`);
}

function unsupported(part: GeminiPart, role: string): ConversionError {
  const kind = Object.keys(part).find((k) => k !== 'thought' && k !== 'thoughtSignature') ?? 'empty';
  return new ConversionError(`Part "${kind}" in a ${role} turn cannot be converted to OpenAI chat.`);
}

/** Issues chat tool_call ids for Gemini calls and lets responses claim them by name, in order. */
class CallIds {
  private count = 0;
  private pending = new Map<string, string[]>();
  issue(name: string, id?: string): string {
    const callId = id || `call_${++this.count}_${name}`;
    const queue = this.pending.get(name) ?? [];
    queue.push(callId);
    this.pending.set(name, queue);
    return callId;
  }
  claim(name: string, id?: string): string {
    const queue = this.pending.get(name) ?? [];
    const at = id ? queue.indexOf(id) : 0;
    if (at >= 0 && queue.length) return queue.splice(at, 1)[0]!;
    return id || `call_${name}`;
  }
}

/**
 * Gemini's OpenAPI-style Schema → JSON Schema: type names are upper-case enums
 * ("OBJECT", "STRING") and `nullable` is a flag rather than a "null" type.
 */
export function toJsonSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toJsonSchema);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  const src = schema as Record<string, unknown>;
  for (const [key, value] of Object.entries(src)) {
    if (key === 'nullable' || key === 'propertyOrdering') continue;
    if (key === 'type' && typeof value === 'string') out.type = value.toLowerCase();
    else if (key === 'properties' && value && typeof value === 'object') {
      out.properties = Object.fromEntries(Object.entries(value).map(([k, s]) => [k, toJsonSchema(s)]));
    } else if (key === 'items' || key === 'anyOf') out[key] = toJsonSchema(value);
    else out[key] = value;
  }
  if (src.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  return out;
}
