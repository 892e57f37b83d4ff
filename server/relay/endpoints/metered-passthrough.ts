// A native SSE stream relayed byte for byte (Anthropic, Gemini, Responses on a channel
// that speaks them). Chunks go out as they arrive; on the side, events are split on raw
// bytes and only those containing the protocol's usage key are decoded, to meter them.
import type { MeteredUsage } from '../protocols/openai/types.ts';
import type { StreamTransform } from '../relay-stream.ts';
import { concat, eventEnd, parseEvent } from '../sse.ts';

export interface UsageScan {
  /** Bytes an event must contain to be worth decoding, e.g. `"usage"`. */
  needle: string;
  /** Fold one decoded event into the usage so far. */
  meter(prev: MeteredUsage | null, event: unknown): MeteredUsage | null;
  /** Local estimate when the stream reported no usage. */
  estimate(): MeteredUsage;
}

export function meteredPassthrough(scan: UsageScan): StreamTransform {
  const needle = Buffer.from(scan.needle);
  const decoder = new TextDecoder();
  let rest: Uint8Array | null = null;
  let usage: MeteredUsage | null = null;

  const inspect = (event: Uint8Array) => {
    if (Buffer.from(event.buffer, event.byteOffset, event.byteLength).indexOf(needle) === -1) return;
    const ev = parseEvent(decoder.decode(event));
    if (!ev?.data) return;
    try {
      usage = scan.meter(usage, JSON.parse(ev.data));
    } catch {}
  };

  return {
    push(chunk) {
      const buf = concat(rest, chunk);
      let start = 0;
      for (let end = eventEnd(buf, 0); end !== -1; end = eventEnd(buf, start)) {
        inspect(buf.subarray(start, end));
        start = end;
      }
      rest = start < buf.length ? buf.slice(start) : null;
      return chunk;
    },
    end() {
      if (rest) inspect(rest);
      rest = null;
      return null;
    },
    usage: () => usage,
    estimate: scan.estimate,
  };
}
