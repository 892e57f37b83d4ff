// Relays an OpenAI-format SSE stream byte for byte. Events are split on their blank
// line without decoding; only events containing `"usage"` are decoded, to meter them,
// and the usage-only chunk the gateway asked for is dropped when the client did not.
import { messageText } from '../billing/estimate.ts';
import { type MeteredUsage, meterOpenAIUsage, type Usage } from './protocols/openai/types.ts';
import { concat, eventEnd, mentionsUsage, parseEvent } from './sse.ts';

const MAX_KEPT_BYTES = 4 * 1024 * 1024;

export class PassthroughScanner {
  usage: MeteredUsage | null = null;
  /** Delivered event bytes, kept (by reference) only for estimating usage if none arrives. */
  readonly delivered: Uint8Array[] = [];
  private keptBytes = 0;
  private rest: Uint8Array | null = null;
  private readonly decoder = new TextDecoder();

  constructor(private readonly clientWantsUsage: boolean) {}

  /** Bytes to forward for this upstream chunk (whole events only). */
  push(chunk: Uint8Array): Uint8Array | null {
    const buf = concat(this.rest, chunk);
    let start = 0;
    let forwardFrom = 0;
    const parts: Uint8Array[] = [];
    for (let end = eventEnd(buf, 0); end !== -1; end = eventEnd(buf, start)) {
      const ev = buf.subarray(start, end);
      if (mentionsUsage(ev) && this.inspect(ev) === 'drop') {
        if (start > forwardFrom) parts.push(buf.subarray(forwardFrom, start));
        forwardFrom = end;
      }
      start = end;
    }
    if (start > forwardFrom) parts.push(buf.subarray(forwardFrom, start));
    this.rest = start < buf.length ? buf.slice(start) : null;
    const out = parts.length === 1 ? parts[0]! : parts.length === 0 ? null : Buffer.concat(parts);
    if (out && !this.usage && this.keptBytes < MAX_KEPT_BYTES) {
      this.delivered.push(out);
      this.keptBytes += out.byteLength;
    }
    return out;
  }

  /** A trailing event without its blank line, when the upstream closes. */
  end(): Uint8Array | null {
    const rest = this.rest;
    this.rest = null;
    if (!rest || rest.byteLength === 0) return null;
    if (mentionsUsage(rest) && this.inspect(rest) === 'drop') return null;
    return rest;
  }

  /** Text of the delivered completion, for local token estimation. */
  deliveredText(): string {
    let text = '';
    for (const part of this.delivered) {
      for (const raw of this.decoder.decode(part).split(/\n\n|\r\n\r\n/)) {
        const ev = parseEvent(raw);
        if (!ev || ev.data === '[DONE]') continue;
        try {
          const j = JSON.parse(ev.data) as { choices?: Array<{ delta?: Parameters<typeof messageText>[0] }> };
          for (const c of j.choices ?? []) text += messageText(c.delta);
        } catch {}
      }
    }
    return text;
  }

  private inspect(ev: Uint8Array): 'keep' | 'drop' {
    const parsed = parseEvent(this.decoder.decode(ev));
    if (!parsed || parsed.data === '[DONE]') return 'keep';
    try {
      const j = JSON.parse(parsed.data) as { usage?: Usage | null; choices?: unknown[] };
      const u = meterOpenAIUsage(j.usage);
      if (u) this.usage = u;
      // The usage-only chunk (empty choices) exists because the gateway asked for it.
      if (u && !this.clientWantsUsage && Array.isArray(j.choices) && j.choices.length === 0) return 'drop';
    } catch {}
    return 'keep';
  }
}

