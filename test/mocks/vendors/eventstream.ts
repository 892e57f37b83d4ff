// Encodes AWS event-stream frames the way Bedrock sends them, written independently of
// the relay's decoder (CRC from Bun.hash.crc32) so the two check each other.

export function encodeFrame(headers: Record<string, string>, payload: Uint8Array | string): Uint8Array {
  const enc = new TextEncoder();
  const body = typeof payload === 'string' ? enc.encode(payload) : payload;
  const headerBytes: number[] = [];
  for (const [name, value] of Object.entries(headers)) {
    const n = enc.encode(name);
    const v = enc.encode(value);
    headerBytes.push(n.length, ...n, 7, (v.length >> 8) & 0xff, v.length & 0xff, ...v);
  }
  const total = 12 + headerBytes.length + body.length + 4;
  const frame = new Uint8Array(total);
  const view = new DataView(frame.buffer);
  view.setUint32(0, total);
  view.setUint32(4, headerBytes.length);
  view.setUint32(8, Bun.hash.crc32(frame.subarray(0, 8)));
  frame.set(headerBytes, 12);
  frame.set(body, 12 + headerBytes.length);
  view.setUint32(total - 4, Bun.hash.crc32(frame.subarray(0, total - 4)));
  return frame;
}

/** A ConverseStream event frame; the payload is the event member's JSON. */
export function eventFrame(eventType: string, payload: unknown): Uint8Array {
  return encodeFrame({ ':event-type': eventType, ':content-type': 'application/json', ':message-type': 'event' }, JSON.stringify(payload));
}

export function exceptionFrame(exceptionType: string, message: string): Uint8Array {
  return encodeFrame({ ':exception-type': exceptionType, ':content-type': 'application/json', ':message-type': 'exception' }, JSON.stringify({ message }));
}

export function concatFrames(frames: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
  let at = 0;
  for (const f of frames) {
    out.set(f, at);
    at += f.length;
  }
  return out;
}
