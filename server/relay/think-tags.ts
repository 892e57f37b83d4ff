// Reasoning in `<think>…</think>` tags at the start of the content (R1-style models served
// by Ollama, SiliconFlow, vLLM without a reasoning parser) moved into `reasoning_content`,
// so OpenAI clients get it apart and the Anthropic and Responses surfaces turn it into
// thinking blocks and reasoning items. Off unless the channel's config `think_tags` is
// "split". Streams may cut a tag anywhere: a partial tag is held back until it resolves.
import type { ChannelEntry } from '../state/types.ts';
import type { ChatChunk, ChatResponse } from './protocols/openai/types.ts';

const OPEN = '<think>';
const CLOSE = '</think>';

export const splitsThinkTags = (channel: ChannelEntry): boolean => channel.config.think_tags === 'split';

type Mode = 'start' | 'think' | 'after' | 'content';

/** One choice's content stream, split into reasoning and content. */
export class ThinkSplitter {
  private mode: Mode = 'start';
  private pending = '';

  push(text: string): { reasoning: string; content: string } {
    let buf = this.pending + text;
    this.pending = '';
    let reasoning = '';
    let content = '';
    for (;;) {
      if (this.mode === 'start') {
        const lead = buf.trimStart();
        if (lead.startsWith(OPEN)) {
          buf = lead.slice(OPEN.length);
          this.mode = 'think';
          continue;
        }
        if (OPEN.startsWith(lead)) { // empty or a partial opening tag: wait for more
          this.pending = buf;
          break;
        }
        this.mode = 'content';
        continue;
      }
      if (this.mode === 'think') {
        const at = buf.indexOf(CLOSE);
        if (at >= 0) {
          reasoning += buf.slice(0, at);
          buf = buf.slice(at + CLOSE.length);
          this.mode = 'after';
          continue;
        }
        const keep = partialSuffix(buf, CLOSE);
        reasoning += buf.slice(0, buf.length - keep);
        this.pending = buf.slice(buf.length - keep);
        break;
      }
      if (this.mode === 'after') {
        // The blank line models put after </think> is not part of the answer.
        buf = buf.replace(/^\s+/, '');
        if (!buf) break;
        this.mode = 'content';
        continue;
      }
      content += buf;
      break;
    }
    return { reasoning, content };
  }

  /** What is still held back when the stream ends. */
  end(): { reasoning: string; content: string } {
    const rest = this.pending;
    this.pending = '';
    return this.mode === 'think' ? { reasoning: rest, content: '' } : { reasoning: '', content: this.mode === 'after' ? '' : rest };
  }
}

/** Length of the longest suffix of `s` that is a proper prefix of `tag`. */
function partialSuffix(s: string, tag: string): number {
  for (let k = Math.min(tag.length - 1, s.length); k > 0; k--) if (tag.startsWith(s.slice(s.length - k))) return k;
  return 0;
}

/** A whole completion with its tagged reasoning moved out. */
export function splitResponse(res: ChatResponse): ChatResponse {
  for (const choice of res.choices) {
    const m = choice.message;
    if (typeof m.content !== 'string') continue;
    const s = new ThinkSplitter();
    const a = s.push(m.content);
    const b = s.end();
    const reasoning = a.reasoning + b.reasoning;
    if (!reasoning) continue;
    m.reasoning_content = (m.reasoning_content ?? '') + reasoning;
    m.content = a.content + b.content;
  }
  return res;
}

/** Chunks of a stream with their tagged reasoning moved out; `end()` flushes what was held back. */
export function thinkChunkSplitter() {
  const splitters = new Map<number, ThinkSplitter>();
  let last: ChatChunk | null = null;
  return {
    push(chunks: ChatChunk[]): ChatChunk[] {
      for (const c of chunks) {
        last = c;
        for (const choice of c.choices) {
          const d = choice.delta;
          if (typeof d.content !== 'string' || !d.content) continue;
          let s = splitters.get(choice.index);
          if (!s) splitters.set(choice.index, (s = new ThinkSplitter()));
          const r = s.push(d.content);
          d.content = r.content;
          if (r.reasoning) d.reasoning_content = (d.reasoning_content ?? '') + r.reasoning;
        }
      }
      return chunks;
    },
    end(): ChatChunk[] {
      const out: ChatChunk[] = [];
      for (const [index, s] of splitters) {
        const r = s.end();
        if (!r.reasoning && !r.content) continue;
        const delta: ChatChunk['choices'][number]['delta'] = {};
        if (r.reasoning) delta.reasoning_content = r.reasoning;
        if (r.content) delta.content = r.content;
        out.push({ id: last?.id ?? '', object: 'chat.completion.chunk', created: last?.created ?? 0, model: last?.model ?? '', choices: [{ index, delta, finish_reason: null }] });
      }
      return out;
    },
  };
}
