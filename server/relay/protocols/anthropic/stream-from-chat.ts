// OpenAI chat chunks → Anthropic Messages SSE events.
//
// Chat streams one flat delta per chunk; Anthropic streams typed content blocks with indices.
// This converter opens a block when the kind of delta changes (thinking → text → tool call n),
// closes the previous one, and holds message_delta until end() because OpenAI reports
// finish_reason and usage on separate, late chunks.
import type { ChatChunk, Usage } from '../openai/types.ts';
import { firstChoice, type SurfaceStream } from '../types.ts';
import { anthropicUsage, messageId, reportedStop, stopReasonFromChat, stopSequenceOf } from './response-from-chat.ts';
import type { MessagesRequest } from './schema.ts';

type Open = { kind: 'text' | 'thinking'; index: number } | { kind: 'tool'; index: number; slot: number };

export function sse(type: string, data: unknown): string {
  return `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
}

export function streamFromChat(req: Pick<MessagesRequest, 'model' | 'stop_sequences'>): SurfaceStream {
  let started = false;
  let finished = false;
  let nextIndex = 0;
  let open: Open | null = null;
  // OpenAI tool_calls[].index → the Anthropic block carrying that call.
  const tools = new Map<number, { index: number; id: string }>();
  let finish: string | null = null;
  let stopReported: unknown;
  // The tail of the text, to recognise a stop sequence the upstream left in.
  let tail = '';
  let usage: Usage | null = null;

  function start(chunk?: ChatChunk): string {
    if (started) return '';
    started = true;
    const message = {
      id: messageId(chunk?.id),
      type: 'message',
      role: 'assistant',
      model: req.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      // Chat streams report usage only at the end; message_delta carries the real numbers.
      usage: { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    };
    return sse('message_start', { type: 'message_start', message }) + sse('ping', { type: 'ping' });
  }

  function close(): string {
    if (!open) return '';
    const out = sse('content_block_stop', { type: 'content_block_stop', index: open.index });
    open = null;
    return out;
  }

  function openBlock(next: Open, contentBlock: unknown): string {
    const out = close() + sse('content_block_start', { type: 'content_block_start', index: next.index, content_block: contentBlock });
    open = next;
    return out;
  }

  function delta(index: number, payload: unknown): string {
    return sse('content_block_delta', { type: 'content_block_delta', index, delta: payload });
  }

  function ensureKind(kind: 'text' | 'thinking'): string {
    if (open?.kind === kind) return '';
    const block = kind === 'text' ? { type: 'text', text: '' } : { type: 'thinking', thinking: '', signature: '' };
    return openBlock({ kind, index: nextIndex++ }, block);
  }

  return {
    push(chunk) {
      if (finished) return '';
      let out = start(chunk);
      if (chunk.usage) usage = chunk.usage;
      const choice = firstChoice(chunk);
      if (!choice) return out;
      const d = choice.delta;
      if (typeof d.reasoning_content === 'string' && d.reasoning_content) {
        out += ensureKind('thinking') + delta(open!.index, { type: 'thinking_delta', thinking: d.reasoning_content });
      }
      if (typeof d.content === 'string' && d.content) {
        out += ensureKind('text') + delta(open!.index, { type: 'text_delta', text: d.content });
        if (req.stop_sequences?.length) tail = (tail + d.content).slice(-256);
      }
      for (const call of d.tool_calls ?? []) {
        let tool = tools.get(call.index);
        if (!tool || (call.id && call.id !== tool.id)) {
          tool = { index: nextIndex++, id: call.id || `toolu_${messageId(chunk.id).slice(4)}_${call.index}` };
          tools.set(call.index, tool);
          out += openBlock({ kind: 'tool', index: tool.index, slot: call.index }, { type: 'tool_use', id: tool.id, name: call.function?.name ?? '', input: {} });
        }
        const args = call.function?.arguments;
        if (args) out += delta(tool.index, { type: 'input_json_delta', partial_json: args });
      }
      if (choice.finish_reason) {
        finish = choice.finish_reason;
        stopReported = reportedStop(choice);
      }
      return out;
    },

    end(finalUsage) {
      if (finished) return '';
      finished = true;
      let out = start() + close();
      // Some upstreams finish with "stop" after tool calls; the client must still run them.
      const matched = tools.size > 0 ? null : stopSequenceOf(finish, stopReported, tail, req.stop_sequences);
      const reason = matched?.reason ?? (tools.size > 0 && (finish === 'stop' || finish === null) ? 'tool_use' : stopReasonFromChat(finish));
      out += sse('message_delta', {
        type: 'message_delta',
        delta: { stop_reason: reason, stop_sequence: matched?.sequence ?? null },
        usage: anthropicUsage(finalUsage ?? usage),
      });
      return out + sse('message_stop', { type: 'message_stop' });
    },

    fail(message) {
      if (finished) return '';
      finished = true;
      return sse('error', { type: 'error', error: { type: 'api_error', message } });
    },
  };
}
