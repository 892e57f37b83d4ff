// OpenAI chat request → Gemini generateContent request.
import type { ChatMessage, ChatRequest } from '../openai/types.ts';
import { contentParts, contentText, imageUrlOf, isSystemRole } from '../shared/content.ts';
import { mediaTypeFromUrl, parseDataUrl } from '../shared/data-url.ts';
import { isRecord, parseArguments, tryParse } from '../shared/json.ts';
import { sanitizeSchema } from '../shared/schema.ts';
import type { GeminiContent, GeminiPart, GeminiRequest } from './wire.ts';

const THINKING_BUDGET: Record<string, number> = { none: 0, minimal: 0, low: 1024, medium: 8192, high: 24576 };

export function requestFromChat(req: ChatRequest): GeminiRequest {
  const out: GeminiRequest = { contents: toContents(req.messages) };
  const system = req.messages.filter((m) => isSystemRole(m.role)).map((m) => contentText(m.content)).filter(Boolean);
  if (system.length) out.systemInstruction = { parts: system.map((text) => ({ text })) };
  if (req.tools?.length) {
    out.tools = [{
      functionDeclarations: req.tools.map((t) => ({
        name: t.function.name,
        ...(t.function.description ? { description: t.function.description } : {}),
        ...(t.function.parameters ? { parameters: sanitizeSchema(t.function.parameters) } : {}),
      })),
    }];
  }
  const c = req.tool_choice;
  if (c === 'none') out.toolConfig = { functionCallingConfig: { mode: 'NONE' } };
  else if (c === 'required') out.toolConfig = { functionCallingConfig: { mode: 'ANY' } };
  else if (c && typeof c === 'object') out.toolConfig = { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [c.function.name] } };
  const gen = generationConfig(req);
  if (Object.keys(gen).length) out.generationConfig = gen;
  return out;
}

function generationConfig(req: ChatRequest): NonNullable<GeminiRequest['generationConfig']> {
  const g: NonNullable<GeminiRequest['generationConfig']> = {};
  if (req.temperature != null) g.temperature = req.temperature;
  if (req.top_p != null) g.topP = req.top_p;
  if (typeof req.top_k === 'number') g.topK = req.top_k;
  const max = req.max_completion_tokens ?? req.max_tokens;
  if (max != null) g.maxOutputTokens = max;
  if (req.stop != null) g.stopSequences = Array.isArray(req.stop) ? req.stop : [req.stop];
  if (typeof req.n === 'number' && req.n > 1) g.candidateCount = req.n;
  if (typeof req.seed === 'number') g.seed = req.seed;
  if (typeof req.presence_penalty === 'number') g.presencePenalty = req.presence_penalty;
  if (typeof req.frequency_penalty === 'number') g.frequencyPenalty = req.frequency_penalty;
  const rf = req.response_format as { type?: string; json_schema?: { schema?: unknown } } | undefined;
  if (rf?.type === 'json_object' || rf?.type === 'json_schema') g.responseMimeType = 'application/json';
  if (rf?.type === 'json_schema' && rf.json_schema?.schema) g.responseJsonSchema = rf.json_schema.schema;
  const budget = req.reasoning_effort ? THINKING_BUDGET[req.reasoning_effort] : undefined;
  // includeThoughts makes Gemini return thought summaries, surfaced as reasoning_content.
  if (budget !== undefined) g.thinkingConfig = budget > 0 ? { thinkingBudget: budget, includeThoughts: true } : { thinkingBudget: 0 };
  return g;
}

function toContents(messages: ChatMessage[]): GeminiContent[] {
  // functionResponse must name the function; OpenAI tool messages only carry the call id.
  const callNames = new Map<string, string>();
  const out: GeminiContent[] = [];
  for (const m of messages) {
    if (isSystemRole(m.role)) continue;
    let role: GeminiContent['role'] = 'user';
    let parts: GeminiPart[];
    if (m.role === 'assistant') {
      role = 'model';
      parts = modelParts(m, callNames);
    } else if (m.role === 'tool' || m.role === 'function') {
      const name = callNames.get(m.tool_call_id ?? '') ?? m.name ?? '';
      parts = [{ functionResponse: { name, response: toolResponse(contentText(m.content)) } }];
    } else {
      parts = userParts(m);
    }
    if (parts.length === 0) continue;
    // Gemini wants all responses to one model turn's calls in a single user turn.
    const last = out[out.length - 1];
    if (last && last.role === role) last.parts.push(...parts);
    else out.push({ role, parts });
  }
  return out;
}

function userParts(m: ChatMessage): GeminiPart[] {
  return contentParts(m.content).flatMap((p): GeminiPart[] => {
    if (p.type === 'text') return typeof p.text === 'string' && p.text ? [{ text: p.text }] : [];
    const url = imageUrlOf(p);
    if (!url) return [];
    const inline = parseDataUrl(url);
    return [inline ? { inlineData: { mimeType: inline.mediaType, data: inline.data } } : { fileData: { mimeType: mediaTypeFromUrl(url), fileUri: url } }];
  });
}

function modelParts(m: ChatMessage, callNames: Map<string, string>): GeminiPart[] {
  const parts: GeminiPart[] = [];
  const text = contentText(m.content);
  if (text) parts.push({ text });
  for (const call of m.tool_calls ?? []) {
    callNames.set(call.id, call.function.name);
    parts.push({ functionCall: { name: call.function.name, args: parseArguments(call.function.arguments) } });
  }
  return parts;
}

/** Gemini's functionResponse.response must be an object. */
function toolResponse(text: string): unknown {
  const parsed = tryParse(text);
  return isRecord(parsed) ? parsed : { result: parsed ?? text };
}
