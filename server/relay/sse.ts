// Server-sent events on bytes. The pass-through path splits the upstream stream into
// whole events without decoding them; only events that may carry usage are decoded.

const LFLF = Buffer.from('\n\n');
const CRLFCRLF = Buffer.from('\r\n\r\n');

const view = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

/** Find the end of the next event (index just past its blank line), or -1. Native search, no decoding. */
export function eventEnd(buf: Uint8Array, from: number): number {
  const b = view(buf);
  const lf = b.indexOf(LFLF, from);
  const crlf = b.indexOf(CRLFCRLF, from);
  if (lf === -1) return crlf === -1 ? -1 : crlf + 4;
  if (crlf === -1 || lf < crlf) return lf + 2;
  return crlf + 4;
}

/** Append `chunk` to `rest` (copying only when there is a remainder). */
export function concat(rest: Uint8Array | null, chunk: Uint8Array): Uint8Array {
  if (!rest || rest.length === 0) return chunk;
  const out = new Uint8Array(rest.length + chunk.length);
  out.set(rest, 0);
  out.set(chunk, rest.length);
  return out;
}

const USAGE = Buffer.from('"usage"');

/** Cheap test: does this event's bytes contain a `"usage"` key at all? */
export function mentionsUsage(event: Uint8Array): boolean {
  return view(event).indexOf(USAGE) !== -1;
}

/** Parse one event's text into its `event:` name and joined `data:` lines. */
export function parseEvent(text: string): { event?: string; data: string } | null {
  let event: string | undefined;
  const data: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.startsWith('data:')) data.push(line.slice(line[5] === ' ' ? 6 : 5));
    else if (line.startsWith('event:')) event = line.slice(6).trim();
  }
  if (data.length === 0 && event === undefined) return null;
  return { event, data: data.join('\n') };
}

/** Incremental parser for native vendor streams: bytes in, whole events out. */
export class SseParser {
  private rest: Uint8Array | null = null;
  private readonly decoder = new TextDecoder();

  push(chunk: Uint8Array): Array<{ event?: string; data: string }> {
    const buf = concat(this.rest, chunk);
    const out: Array<{ event?: string; data: string }> = [];
    let start = 0;
    for (let end = eventEnd(buf, 0); end !== -1; end = eventEnd(buf, start)) {
      const ev = parseEvent(this.decoder.decode(buf.subarray(start, end)));
      if (ev) out.push(ev);
      start = end;
    }
    this.rest = start < buf.length ? buf.slice(start) : null;
    return out;
  }

  /** Whatever is left when the stream ends without a final blank line. */
  end(): Array<{ event?: string; data: string }> {
    if (!this.rest) return [];
    const ev = parseEvent(this.decoder.decode(this.rest));
    this.rest = null;
    return ev ? [ev] : [];
  }
}
