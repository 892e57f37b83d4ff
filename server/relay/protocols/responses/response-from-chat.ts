// OpenAI chat completion → Responses API `response` object, plus the envelope, item and usage
// builders the stream converter reuses so both paths emit identical objects.
import type { ChatResponse, Usage } from '../openai/types.ts';
import { bareId } from '../types.ts';
import type { ResponsesRequest } from './schema.ts';
import { callItem, toolPlan } from './tools.ts';

export type ResponseStatus = 'in_progress' | 'completed' | 'incomplete' | 'failed';

export interface ResponseUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

/** Responses usage keeps OpenAI's convention: input_tokens INCLUDES cached tokens. */
export function responseUsage(u: Usage | null | undefined): ResponseUsage | null {
  if (!u || typeof u.prompt_tokens !== 'number') return null;
  const input = u.prompt_tokens;
  const output = u.completion_tokens ?? 0;
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: u.prompt_tokens_details?.cached_tokens ?? 0 },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: u.completion_tokens_details?.reasoning_tokens ?? 0 },
    total_tokens: u.total_tokens ?? input + output,
  };
}

/** length and content_filter end a response early: status "incomplete" with the reason. */
export function finishStatus(finish: string | null | undefined): { status: ResponseStatus; incomplete_details: { reason: string } | null } {
  if (finish === 'length') return { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } };
  if (finish === 'content_filter') return { status: 'incomplete', incomplete_details: { reason: 'content_filter' } };
  return { status: 'completed', incomplete_details: null };
}

export function responseId(chatId: string | undefined): string {
  return `resp_${bareId(chatId)}`;
}

export interface Envelope {
  id: string;
  created_at: number;
  model: string;
  status: ResponseStatus;
  output: unknown[];
  usage: ResponseUsage | null;
  error: { code: string; message: string } | null;
  incomplete_details: { reason: string } | null;
}

/** The full response object; request settings are echoed back as the API does. */
export function responseObject(req: ResponsesRequest, e: Envelope): Record<string, unknown> {
  return {
    id: e.id,
    object: 'response',
    created_at: e.created_at,
    status: e.status,
    background: false,
    error: e.error,
    incomplete_details: e.incomplete_details,
    instructions: req.instructions ?? null,
    max_output_tokens: req.max_output_tokens ?? null,
    metadata: req.metadata ?? {},
    model: e.model,
    output: e.output,
    parallel_tool_calls: req.parallel_tool_calls ?? true,
    previous_response_id: null,
    reasoning: { effort: req.reasoning?.effort ?? null, summary: null },
    // Nothing is kept server-side, whatever the client asked for.
    store: false,
    temperature: req.temperature ?? null,
    text: { format: req.text?.format ?? { type: 'text' } },
    tool_choice: req.tool_choice ?? 'auto',
    tools: req.tools ?? [],
    top_p: req.top_p ?? null,
    truncation: 'disabled',
    usage: e.usage,
    user: req.user ?? null,
  };
}

// Item builders. Ids only need to be unique within the response.
export const itemId = (kind: 'msg' | 'fc' | 'rs', base: string, outputIndex: number) => `${kind}_${base}_${outputIndex}`;

export function messageItem(id: string, text: string, status: 'in_progress' | 'completed') {
  return {
    id,
    type: 'message',
    status,
    role: 'assistant',
    content: status === 'in_progress' ? [] : [outputTextPart(text)],
  };
}

export function outputTextPart(text: string) {
  return { type: 'output_text', text, annotations: [], logprobs: [] };
}

export function reasoningItem(id: string, text: string, status: 'in_progress' | 'completed') {
  return {
    id,
    type: 'reasoning',
    status,
    summary: [],
    content: status === 'in_progress' ? [] : [{ type: 'reasoning_text', text }],
  };
}

export function functionCallItem(id: string, callId: string, name: string, args: string, status: 'in_progress' | 'completed') {
  return { id, type: 'function_call', status, call_id: callId, name, arguments: args };
}

export function responseFromChat(res: ChatResponse, req: ResponsesRequest): unknown {
  const choice = res.choices[0];
  const message = choice?.message;
  const id = responseId(res.id);
  const base = id.slice(5);
  const output: unknown[] = [];
  if (message?.reasoning_content) output.push(reasoningItem(itemId('rs', base, output.length), message.reasoning_content, 'completed'));
  const text = typeof message?.content === 'string' ? message.content : '';
  if (text) output.push(messageItem(itemId('msg', base, output.length), text, 'completed'));
  const plan = toolPlan(req);
  for (const call of message?.tool_calls ?? []) {
    output.push(callItem(plan, itemId('fc', base, output.length), call.id, call.function.name, call.function.arguments, 'completed'));
  }
  return responseObject(req, {
    id,
    created_at: res.created,
    // The name the client asked for, not the channel's mapped upstream name.
    model: req.model,
    output,
    usage: responseUsage(res.usage),
    error: null,
    ...finishStatus(choice?.finish_reason),
  });
}
