// ConverseStream events (decoded from event-stream frames) → OpenAI chat chunks.
// Order on the wire: messageStart, content blocks, messageStop, then metadata (usage).
import type { ChatChunk, MeteredUsage } from '../../protocols/openai/types.ts';
import { argumentsDelta, ChunkWriter } from '../../protocols/shared/chunks.ts';
import { VendorStreamError } from '../../protocols/shared/errors.ts';
import { nowSeconds, randomId } from '../../protocols/shared/ids.ts';
import { asRecord, asString, tryParse } from '../../protocols/shared/json.ts';
import type { ChatStreamConverter, SseEvent } from '../types.ts';
import { finishReason } from './finish-reason.ts';
import { meterBedrockUsage } from './usage.ts';

export function converseStream(model: string): ChatStreamConverter {
  const out = new ChunkWriter(randomId('chatcmpl-'), model, nowSeconds());
  let usage: MeteredUsage | null = null;
  let finished = false;
  const toolIndex = new Map<number, number>();

  function push(ev: SseEvent): ChatChunk[] {
    const data = asRecord(tryParse(ev.data));
    const type = ev.event ?? '';
    if (type.endsWith('Exception') || type === ':error') {
      throw new VendorStreamError(asString(data.message) ?? asString(data.Message) ?? 'upstream stream error', type, asString(data.code));
    }
    switch (type) {
      case 'messageStart':
        return [out.delta({ role: 'assistant', content: '' })];
      case 'contentBlockStart': {
        const use = asRecord(asRecord(data.start).toolUse);
        if (!use.toolUseId) return [];
        const n = toolIndex.size;
        toolIndex.set(Number(data.contentBlockIndex ?? 0), n);
        return [out.delta({ tool_calls: [{ index: n, id: asString(use.toolUseId) ?? randomId('tooluse_'), type: 'function', function: { name: asString(use.name) ?? '', arguments: '' } }] })];
      }
      case 'contentBlockDelta': {
        const delta = asRecord(data.delta);
        if (typeof delta.text === 'string') return [out.delta({ content: delta.text })];
        const reasoning = asString(asRecord(delta.reasoningContent).text);
        if (reasoning) return [out.delta({ reasoning_content: reasoning })];
        const input = asString(asRecord(delta.toolUse).input);
        const n = toolIndex.get(Number(data.contentBlockIndex ?? 0));
        if (input && n !== undefined) return [out.delta({ tool_calls: [argumentsDelta(n, input)] })];
        return [];
      }
      case 'messageStop':
        finished = true;
        return [out.delta({}, finishReason(data.stopReason) ?? 'stop')];
      case 'metadata':
        usage = meterBedrockUsage(data.usage) ?? usage;
        return [];
      default:
        return [];
    }
  }

  return {
    push,
    end() {
      const tail: ChatChunk[] = [];
      if (!finished && usage) tail.push(out.delta({}, 'stop'));
      if (usage) tail.push(out.usage(usage));
      return tail;
    },
    usage: () => usage,
  };
}
