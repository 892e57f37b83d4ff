// OpenAI chat chunks → Gemini `streamGenerateContent?alt=sse` frames.
//
// Every frame is a whole GenerateContentResponse: `data: <json>\r\n\r\n` (Google ends frames
// with CRLF pairs; its JS SDK splits on \n\n, \r\r or \r\n\r\n). Text and thoughts go out as
// they arrive. Gemini sends each functionCall whole, so tool-call argument fragments are
// buffered and released in the last frame, together with finishReason and usageMetadata.
import type { ChatChunk, Usage } from '../openai/types.ts';
import { bareId, type SurfaceStream } from '../types.ts';
import { finishReasonFromChat, functionCallPart, usageMetadata, wantsThoughts } from './response-from-chat.ts';
import { errorObject } from './error-body.ts';
import type { GenerateContentRequest } from './schema.ts';

export function frame(data: unknown): string {
  return `data: ${JSON.stringify(data)}\r\n\r\n`;
}

interface Candidate {
  finish: string | null;
  // chat tool_calls[].index → the call being assembled
  calls: Map<number, { id: string; name: string; args: string }>;
}

export function streamFromChat(req: GenerateContentRequest): SurfaceStream {
  const thoughts = wantsThoughts(req);
  let finished = false;
  let model = req.model ?? '';
  let responseId = '';
  let usage: Usage | null = null;
  const candidates = new Map<number, Candidate>();

  function candidate(index: number): Candidate {
    let c = candidates.get(index);
    if (!c) candidates.set(index, (c = { finish: null, calls: new Map() }));
    return c;
  }

  function envelope(list: unknown[], extra: Record<string, unknown> = {}): string {
    return frame({ candidates: list, ...extra, modelVersion: model, responseId });
  }

  return {
    push(chunk: ChatChunk) {
      if (finished) return '';
      if (chunk.model) model = chunk.model;
      if (!responseId) responseId = bareId(chunk.id);
      if (chunk.usage) usage = chunk.usage;
      const list: unknown[] = [];
      for (const choice of chunk.choices) {
        const c = candidate(choice.index);
        const d = choice.delta;
        const parts: unknown[] = [];
        if (thoughts && typeof d.reasoning_content === 'string' && d.reasoning_content) parts.push({ text: d.reasoning_content, thought: true });
        if (typeof d.content === 'string' && d.content) parts.push({ text: d.content });
        for (const call of d.tool_calls ?? []) {
          const known = c.calls.get(call.index);
          if (!known) c.calls.set(call.index, { id: call.id ?? `call_${call.index}`, name: call.function?.name ?? '', args: call.function?.arguments ?? '' });
          else known.args += call.function?.arguments ?? '';
        }
        if (choice.finish_reason) c.finish = choice.finish_reason;
        if (parts.length) list.push({ content: { parts, role: 'model' }, index: choice.index });
      }
      return list.length ? envelope(list) : '';
    },

    end(finalUsage?: Usage | null) {
      if (finished) return '';
      finished = true;
      if (!responseId) responseId = bareId(undefined);
      if (candidates.size === 0) candidate(0);
      const list = [...candidates.entries()].map(([index, c]) => {
        const calls = [...c.calls.values()].map((call) => functionCallPart(call.id, call.name, call.args));
        return { content: { parts: calls.length ? calls : [{ text: '' }], role: 'model' }, finishReason: finishReasonFromChat(c.finish), index };
      });
      const meta = usageMetadata(finalUsage ?? usage);
      return envelope(list, meta ? { usageMetadata: meta } : {});
    },

    fail(message: string) {
      if (finished) return '';
      finished = true;
      return frame(errorObject(500, message));
    },
  };
}
