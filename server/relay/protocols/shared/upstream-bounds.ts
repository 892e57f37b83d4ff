// Bounds on what the gateway holds in memory for one upstream answer: a whole buffered body
// (JSON answers, error bodies) and one server-sent event (a stream is split into events, and an
// event that never ends would otherwise grow a buffer without limit). Past a bound the upstream
// is cancelled and the call ends with the protocol's error; what was delivered is billed.
import { RelayError } from '../openai/errors.ts';

/** Error bodies are only ever shown as a message: the first 64 KiB are plenty. */
export const MAX_ERROR_BODY_BYTES = 64 * 1024;

export const bodyTooLarge = (max: number) =>
  new RelayError(502, `The upstream answer is larger than the gateway's limit of ${max} bytes (MAX_UPSTREAM_BODY_BYTES).`, 'upstream_error', 'upstream_body_too_large');

export const eventTooLarge = (max: number) =>
  new RelayError(502, `The upstream sent a stream event larger than the gateway's limit of ${max} bytes (MAX_SSE_EVENT_BYTES).`, 'upstream_error', 'upstream_event_too_large');

/**
 * The whole body, at most `max` bytes. Beyond it: `truncate` returns what fits (error
 * bodies), otherwise it throws upstream_body_too_large. Either way the rest is not read.
 */
export async function readBounded(res: Response, max: number, truncate = false): Promise<Uint8Array> {
  const declared = Number(res.headers.get('content-length') ?? -1);
  if (!truncate && declared > max) {
    await res.body?.cancel().catch(() => {});
    throw bodyTooLarge(max);
  }
  if (!res.body) return new Uint8Array(0);
  // Bytes on the wire are the bytes read: one native read, no reader (a decoded body may outgrow its length).
  if (declared >= 0 && declared <= max && !res.headers.has('content-encoding')) return res.bytes();
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (size + value.byteLength > max) {
        reader.cancel().catch(() => {});
        if (!truncate) throw bodyTooLarge(max);
        parts.push(value.subarray(0, max - size));
        size = max;
        break;
      }
      parts.push(value);
      size += value.byteLength;
    }
  } finally {
    reader.releaseLock();
  }
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts, size);
}

const decoder = new TextDecoder();

/** An upstream error body as text, truncated at MAX_ERROR_BODY_BYTES; never throws. */
export async function readErrorText(res: Response): Promise<string> {
  try {
    return decoder.decode(await readBounded(res, MAX_ERROR_BODY_BYTES, true));
  } catch {
    return '';
  }
}

const LF = 0x0a;
const CR = 0x0d;

/**
 * Tracks the bytes since the last event boundary (a blank line: LF LF or CR LF CR LF) of an
 * SSE stream, across chunk boundaries, with one backwards scan per chunk.
 */
export class SseEventBound {
  private since = 0;
  /** The last bytes of the previous chunk, for a blank line split between chunks. */
  private prev1 = -1;
  private prev2 = -1;
  private prev3 = -1;

  constructor(readonly max: number) {}

  /** False once the current event has grown past the bound. */
  push(chunk: Uint8Array): boolean {
    const n = chunk.byteLength;
    let end = -1;
    // Scan back for the last position just past a blank line.
    for (let i = n - 1; i >= 0; i--) {
      if (chunk[i] !== LF) continue;
      const b1 = i >= 1 ? chunk[i - 1]! : i === 0 ? this.prev1 : -1;
      if (b1 === LF) { end = i + 1; break; }
      if (b1 === CR) {
        const b2 = i >= 2 ? chunk[i - 2]! : i === 1 ? this.prev1 : this.prev2;
        const b3 = i >= 3 ? chunk[i - 3]! : i === 2 ? this.prev1 : i === 1 ? this.prev2 : this.prev3;
        if (b2 === LF && b3 === CR) { end = i + 1; break; }
      }
    }
    this.since = end === -1 ? this.since + n : n - end;
    if (n >= 3) {
      this.prev3 = chunk[n - 3]!; this.prev2 = chunk[n - 2]!; this.prev1 = chunk[n - 1]!;
    } else {
      for (const b of chunk) { this.prev3 = this.prev2; this.prev2 = this.prev1; this.prev1 = b; }
    }
    return this.since <= this.max;
  }
}
