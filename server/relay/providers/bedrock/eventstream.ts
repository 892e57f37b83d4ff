// AWS event-stream framing (application/vnd.amazon.eventstream), used by ConverseStream
// instead of SSE. Each frame: total length, headers length, prelude CRC32, headers,
// payload, message CRC32 (all big-endian). Frames are decoded into SseEvent so the
// stream converter looks like every other vendor's: `event` is :event-type (or
// :exception-type for errors), `data` is the JSON payload.
import type { SseEvent, StreamDecoder } from '../types.ts';

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = (CRC_TABLE[(c ^ b) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export type HeaderValue = string | number | boolean | bigint | Uint8Array;

export function decodeHeaders(bytes: Uint8Array): Record<string, HeaderValue> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = new TextDecoder();
  const out: Record<string, HeaderValue> = {};
  let i = 0;
  while (i < bytes.length) {
    const nameLen = view.getUint8(i);
    const name = text.decode(bytes.subarray(i + 1, i + 1 + nameLen));
    i += 1 + nameLen;
    const type = view.getUint8(i++);
    switch (type) {
      case 0: out[name] = true; break;
      case 1: out[name] = false; break;
      case 2: out[name] = view.getInt8(i); i += 1; break;
      case 3: out[name] = view.getInt16(i); i += 2; break;
      case 4: out[name] = view.getInt32(i); i += 4; break;
      case 5: case 8: out[name] = view.getBigInt64(i); i += 8; break;
      case 6: case 7: {
        const len = view.getUint16(i);
        const value = bytes.subarray(i + 2, i + 2 + len);
        out[name] = type === 7 ? text.decode(value) : value;
        i += 2 + len;
        break;
      }
      case 9: out[name] = bytes.subarray(i, i + 16); i += 16; break;
      default: throw new Error(`event-stream: unknown header type ${type}`);
    }
  }
  return out;
}

/** One complete frame → SseEvent. Throws on a CRC mismatch (a corrupt stream must not be billed as complete). */
export function decodeFrame(frame: Uint8Array): SseEvent {
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const total = view.getUint32(0);
  const headersLen = view.getUint32(4);
  if (view.getUint32(8) !== crc32(frame.subarray(0, 8))) throw new Error('event-stream: prelude CRC mismatch');
  if (view.getUint32(total - 4) !== crc32(frame.subarray(0, total - 4))) throw new Error('event-stream: message CRC mismatch');
  const headers = decodeHeaders(frame.subarray(12, 12 + headersLen));
  const data = new TextDecoder().decode(frame.subarray(12 + headersLen, total - 4));
  const kind = headers[':message-type'];
  if (kind === 'exception') return { event: String(headers[':exception-type'] ?? 'exception'), data };
  if (kind === 'error') {
    return { event: ':error', data: JSON.stringify({ message: headers[':error-message'] ?? 'stream error', code: headers[':error-code'] }) };
  }
  return { event: String(headers[':event-type'] ?? ''), data };
}

/** Incremental decoder: feed network chunks, get whole events; partial frames wait for more bytes. */
export function createAwsEventStreamDecoder(): StreamDecoder {
  let buf = new Uint8Array(0);
  return {
    push(chunk) {
      const merged = new Uint8Array(buf.length + chunk.length);
      merged.set(buf);
      merged.set(chunk, buf.length);
      buf = merged;
      const events: SseEvent[] = [];
      while (buf.length >= 12) {
        const total = new DataView(buf.buffer, buf.byteOffset, buf.byteLength).getUint32(0);
        if (total < 16) throw new Error(`event-stream: invalid frame length ${total}`);
        if (buf.length < total) break;
        events.push(decodeFrame(buf.subarray(0, total)));
        buf = buf.slice(total);
      }
      return events;
    },
    end() {
      if (buf.length > 0) throw new Error('event-stream: stream ended inside a frame');
      return [];
    },
  };
}

/** Whole-buffer convenience for tests and non-streaming callers. */
export function decodeAwsEventStream(bytes: Uint8Array): SseEvent[] {
  const d = createAwsEventStreamDecoder();
  return [...d.push(bytes), ...(d.end?.() ?? [])];
}
