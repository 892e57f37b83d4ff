// Gemini streamGenerateContent?alt=sse → OpenAI chat chunks. Each SSE event is a whole
// GenerateContentResponse holding the next slice of text; usageMetadata is cumulative.
import type { ChatChunk, MeteredUsage } from '../openai/types.ts';
import { ChunkWriter } from '../shared/chunks.ts';
import { VendorStreamError } from '../shared/errors.ts';
import { nowSeconds, randomId } from '../shared/ids.ts';
import { asArray, asRecord, asString, tryParse } from '../shared/json.ts';
import type { ChatStreamConverter, SseEvent } from '../types.ts';
import { readParts } from './response-to-chat.ts';
import { finishReasonToChat } from './finish-reason.ts';
import { meterGeminiUsage } from './usage.ts';

export function streamToChat(model: string): ChatStreamConverter {
  const out = new ChunkWriter(randomId('chatcmpl-'), model, nowSeconds());
  let usage: MeteredUsage | null = null;
  let started = false;
  const toolCount = new Map<number, number>();
  const finished = new Set<number>();

  function push(ev: SseEvent): ChatChunk[] {
    const body = asRecord(tryParse(ev.data));
    if (body.error) {
      const err = asRecord(body.error);
      throw new VendorStreamError(asString(err.message) ?? 'upstream stream error', asString(err.status), err.code === undefined ? undefined : String(err.code));
    }
    out.id = asString(body.responseId) ?? out.id;
    usage = meterGeminiUsage(body.usageMetadata) ?? usage;
    const chunks: ChatChunk[] = [];
    if (!started) {
      started = true;
      chunks.push(out.delta({ role: 'assistant', content: '' }));
    }
    const candidates = asArray(body.candidates);
    for (const [i, raw] of candidates.entries()) {
      const cand = asRecord(raw);
      const index = typeof cand.index === 'number' ? cand.index : i;
      const { text, reasoning, toolCalls } = readParts(asRecord(cand.content).parts);
      if (reasoning) chunks.push(out.delta({ reasoning_content: reasoning }, null, index));
      if (text) chunks.push(out.delta({ content: text }, null, index));
      if (toolCalls.length) {
        // Gemini sends each call whole, so one delta carries id, name and arguments.
        const base = toolCount.get(index) ?? 0;
        toolCount.set(index, base + toolCalls.length);
        chunks.push(out.delta({ tool_calls: toolCalls.map((c, k) => ({ ...c, index: base + k })) }, null, index));
      }
      const finish = finishReasonToChat(cand.finishReason, (toolCount.get(index) ?? 0) > 0);
      if (finish && !finished.has(index)) {
        finished.add(index);
        chunks.push(out.delta({}, finish, index));
      }
    }
    if (candidates.length === 0 && asString(asRecord(body.promptFeedback).blockReason) && !finished.has(0)) {
      finished.add(0);
      chunks.push(out.delta({}, 'content_filter'));
    }
    return chunks;
  }

  return {
    push,
    end() {
      const tail: ChatChunk[] = [];
      if (started && finished.size === 0) tail.push(out.delta({}, 'stop'));
      if (usage) tail.push(out.usage(usage));
      return tail;
    },
    usage: () => usage,
  };
}
