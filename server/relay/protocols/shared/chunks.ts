// Builds OpenAI stream chunks for one response so converters only state the delta.
import type { ChatChunk, MeteredUsage, ToolCallDelta } from '../openai/types.ts';
import { toOpenAIUsage } from './usage.ts';

export type ChunkDelta = ChatChunk['choices'][number]['delta'];
/** A tool-call continuation delta carries only argument text, as OpenAI's does. */
export function argumentsDelta(index: number, args: string): ToolCallDelta {
  return { index, function: { arguments: args } };
}

export class ChunkWriter {
  id: string;
  readonly created: number;
  model: string;
  private roleSent = false;

  constructor(id: string, model: string, created: number) {
    this.id = id;
    this.model = model;
    this.created = created;
  }

  delta(delta: ChunkDelta, finishReason: string | null = null, index = 0): ChatChunk {
    return {
      id: this.id,
      object: 'chat.completion.chunk',
      created: this.created,
      model: this.model,
      choices: [{ index, delta, finish_reason: finishReason }],
    };
  }

  /**
   * A text delta for a vendor that streams plain text: the first one carries
   * `role: assistant` and is sent even when empty; later empty ones are dropped.
   */
  text(content: string): ChatChunk | null {
    if (this.roleSent && !content) return null;
    const delta: ChunkDelta = this.roleSent ? { content } : { role: 'assistant', content };
    this.roleSent = true;
    return this.delta(delta);
  }

  /** OpenAI's `include_usage` shape: a last chunk with no choices. */
  usage(m: MeteredUsage): ChatChunk {
    return {
      id: this.id,
      object: 'chat.completion.chunk',
      created: this.created,
      model: this.model,
      choices: [],
      usage: toOpenAIUsage(m),
    };
  }
}
