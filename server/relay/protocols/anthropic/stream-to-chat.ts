// Anthropic Messages SSE stream → OpenAI chat chunks, one event at a time.
import type { ChatChunk, MeteredUsage } from '../openai/types.ts';
import { argumentsDelta, ChunkWriter } from '../shared/chunks.ts';
import { VendorStreamError } from '../shared/errors.ts';
import { nowSeconds, randomId } from '../shared/ids.ts';
import { asRecord, asString, tryParse } from '../shared/json.ts';
import type { ChatStreamConverter, SseEvent } from '../types.ts';
import { finishReasonToChat } from './finish-reason.ts';
import { mergeUsage } from './usage.ts';

export function streamToChat(model: string): ChatStreamConverter {
  const out = new ChunkWriter(randomId('chatcmpl-'), model, nowSeconds());
  let usage: MeteredUsage | null = null;
  let finish: string | null = null;
  let finished = false;
  // Anthropic numbers content blocks; OpenAI numbers tool calls only.
  const toolIndex = new Map<number, number>();

  function push(ev: SseEvent): ChatChunk[] {
    const data = asRecord(tryParse(ev.data));
    const type = asString(data.type) ?? ev.event;
    switch (type) {
      case 'message_start': {
        const msg = asRecord(data.message);
        out.id = asString(msg.id) ?? out.id;
        out.model = asString(msg.model) ?? out.model;
        usage = mergeUsage(usage, msg.usage);
        return [out.delta({ role: 'assistant', content: '' })];
      }
      case 'content_block_start': {
        const block = asRecord(data.content_block);
        const index = Number(data.index ?? 0);
        if (block.type === 'tool_use') {
          const n = toolIndex.size;
          toolIndex.set(index, n);
          return [out.delta({ tool_calls: [{ index: n, id: asString(block.id) ?? randomId('toolu_'), type: 'function', function: { name: asString(block.name) ?? '', arguments: '' } }] })];
        }
        if (block.type === 'text' && asString(block.text)) return [out.delta({ content: asString(block.text) })];
        if (block.type === 'thinking' && asString(block.thinking)) return [out.delta({ reasoning_content: asString(block.thinking) })];
        return [];
      }
      case 'content_block_delta': {
        const delta = asRecord(data.delta);
        if (delta.type === 'text_delta') return [out.delta({ content: asString(delta.text) ?? '' })];
        if (delta.type === 'thinking_delta') return [out.delta({ reasoning_content: asString(delta.thinking) ?? '' })];
        if (delta.type === 'input_json_delta') {
          const n = toolIndex.get(Number(data.index ?? 0));
          const args = asString(delta.partial_json) ?? '';
          if (n === undefined || !args) return [];
          return [out.delta({ tool_calls: [argumentsDelta(n, args)] })];
        }
        return [];
      }
      case 'message_delta': {
        usage = mergeUsage(usage, data.usage);
        finish = finishReasonToChat(asRecord(data.delta).stop_reason) ?? finish;
        return [];
      }
      case 'message_stop':
        finished = true;
        return [out.delta({}, finish ?? 'stop')];
      case 'error': {
        const err = asRecord(data.error);
        throw new VendorStreamError(asString(err.message) ?? 'upstream stream error', asString(err.type));
      }
      default:
        return []; // ping, content_block_stop, and event types added later
    }
  }

  return {
    push,
    end() {
      const tail: ChatChunk[] = [];
      if (!finished && finish) tail.push(out.delta({}, finish));
      if (usage) tail.push(out.usage(usage));
      return tail;
    },
    usage: () => usage,
  };
}
