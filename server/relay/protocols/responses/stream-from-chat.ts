// OpenAI chat chunks → Responses API SSE events (`event: response.*`, numbered by sequence_number).
//
// Each run of reasoning, text or one tool call becomes an output item: output_item.added, its
// part/argument events, then the matching *.done events and output_item.done when the next run
// starts. response.completed (or .incomplete) waits for end() because chat sends usage last.
import type { ChatChunk, Usage } from '../openai/types.ts';
import { firstChoice, type SurfaceStream } from '../types.ts';
import {
  finishStatus,
  itemId,
  messageItem,
  outputTextPart,
  reasoningItem,
  responseId,
  responseObject,
  responseUsage,
  type Envelope,
} from './response-from-chat.ts';
import type { ResponsesRequest } from './schema.ts';
import { callItem, toolPlan } from './tools.ts';

type Open =
  | { kind: 'message' | 'reasoning'; outputIndex: number; id: string; text: string }
  | { kind: 'tool'; outputIndex: number; id: string; callId: string; name: string; args: string };

export function streamFromChat(req: ResponsesRequest): SurfaceStream {
  const plan = toolPlan(req);
  let seq = 0;
  let started = false;
  let finished = false;
  let id = '';
  let base = '';
  let created = 0;
  // The name the client asked for, not the channel's mapped upstream name.
  const model = req.model;
  let open: Open | null = null;
  const output: unknown[] = [];
  const tools = new Map<number, Extract<Open, { kind: 'tool' }>>();
  let finish: string | null = null;
  let usage: Usage | null = null;

  function event(type: string, data: Record<string, unknown>): string {
    return `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...data })}\n\n`;
  }

  function envelope(over: Partial<Envelope>): Record<string, unknown> {
    const e: Envelope = { id, created_at: created, model, status: 'in_progress', output: [], usage: null, error: null, incomplete_details: null, ...over };
    return responseObject(req, e);
  }

  function start(chunk?: ChatChunk): string {
    if (started) return '';
    started = true;
    id = responseId(chunk?.id);
    base = id.slice(5);
    created = chunk?.created ?? Math.floor(Date.now() / 1000);
    const response = envelope({});
    return event('response.created', { response }) + event('response.in_progress', { response });
  }

  function close(): string {
    const item = open;
    if (!item) return '';
    open = null;
    const at = { item_id: item.id, output_index: item.outputIndex };
    let out = '';
    let done: unknown;
    if (item.kind === 'tool') {
      done = callItem(plan, item.id, item.callId, item.name, item.args, 'completed');
      if ((done as { type: string }).type === 'custom_tool_call') {
        // A freeform tool's input is only known once its JSON arguments are complete.
        const input = (done as { input: string }).input;
        out += event('response.custom_tool_call_input.delta', { ...at, delta: input });
        out += event('response.custom_tool_call_input.done', { ...at, input });
      } else {
        out += event('response.function_call_arguments.done', { ...at, arguments: item.args });
      }
    } else if (item.kind === 'message') {
      out += event('response.output_text.done', { ...at, content_index: 0, text: item.text, logprobs: [] });
      out += event('response.content_part.done', { ...at, content_index: 0, part: outputTextPart(item.text) });
      done = messageItem(item.id, item.text, 'completed');
    } else {
      out += event('response.reasoning_text.done', { ...at, content_index: 0, text: item.text });
      out += event('response.content_part.done', { ...at, content_index: 0, part: { type: 'reasoning_text', text: item.text } });
      done = reasoningItem(item.id, item.text, 'completed');
    }
    output.push(done);
    return out + event('response.output_item.done', { output_index: item.outputIndex, item: done });
  }

  function openRun(kind: 'message' | 'reasoning'): string {
    if (open?.kind === kind) return '';
    let out = close();
    const outputIndex = output.length;
    const itemIdValue = itemId(kind === 'message' ? 'msg' : 'rs', base, outputIndex);
    open = { kind, outputIndex, id: itemIdValue, text: '' };
    const item = kind === 'message' ? messageItem(itemIdValue, '', 'in_progress') : reasoningItem(itemIdValue, '', 'in_progress');
    const part = kind === 'message' ? outputTextPart('') : { type: 'reasoning_text', text: '' };
    out += event('response.output_item.added', { output_index: outputIndex, item });
    out += event('response.content_part.added', { item_id: itemIdValue, output_index: outputIndex, content_index: 0, part });
    return out;
  }

  function text(kind: 'message' | 'reasoning', delta: string): string {
    const out = openRun(kind);
    const run = open as Extract<Open, { kind: 'message' | 'reasoning' }>;
    run.text += delta;
    const type = kind === 'message' ? 'response.output_text.delta' : 'response.reasoning_text.delta';
    const extra = kind === 'message' ? { logprobs: [] } : {};
    return out + event(type, { item_id: run.id, output_index: run.outputIndex, content_index: 0, delta, ...extra });
  }

  return {
    push(chunk) {
      if (finished) return '';
      let out = start(chunk);
      if (chunk.usage) usage = chunk.usage;
      const choice = firstChoice(chunk);
      if (!choice) return out;
      const d = choice.delta;
      if (typeof d.reasoning_content === 'string' && d.reasoning_content) out += text('reasoning', d.reasoning_content);
      if (typeof d.content === 'string' && d.content) out += text('message', d.content);
      for (const call of d.tool_calls ?? []) {
        let tool = tools.get(call.index);
        if (!tool || (call.id && call.id !== tool.callId)) {
          out += close();
          const outputIndex = output.length;
          tool = { kind: 'tool', outputIndex, id: itemId('fc', base, outputIndex), callId: call.id || `call_${base}_${call.index}`, name: call.function?.name ?? '', args: '' };
          tools.set(call.index, tool);
          open = tool;
          out += event('response.output_item.added', { output_index: outputIndex, item: callItem(plan, tool.id, tool.callId, tool.name, '', 'in_progress') });
        }
        const args = call.function?.arguments;
        if (args) {
          tool.args += args;
          if (plan.byChatName.get(tool.name)?.kind !== 'custom') {
            out += event('response.function_call_arguments.delta', { item_id: tool.id, output_index: tool.outputIndex, delta: args });
          }
        }
      }
      if (choice.finish_reason) finish = choice.finish_reason;
      return out;
    },

    end(finalUsage) {
      if (finished) return '';
      finished = true;
      const out = start() + close();
      const state = finishStatus(finish);
      const response = envelope({ ...state, output, usage: responseUsage(finalUsage ?? usage) });
      return out + event(state.status === 'incomplete' ? 'response.incomplete' : 'response.completed', { response });
    },

    fail(message) {
      if (finished) return '';
      finished = true;
      const out = start();
      const response = envelope({ status: 'failed', output, error: { code: 'server_error', message } });
      return out + event('response.failed', { response });
    },
  };
}
