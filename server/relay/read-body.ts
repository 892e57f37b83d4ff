// Read a request body with a hard size cap, failing fast on Content-Length.
import { RelayError } from './protocols/openai/errors.ts';

export async function readBody(req: Request, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(req.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) throw tooLarge(maxBytes);
  // Known length within the cap: one native read, no stream machinery.
  if (declared >= 0) return new Uint8Array(await req.arrayBuffer());
  if (!req.body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of req.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > maxBytes) throw tooLarge(maxBytes);
    chunks.push(chunk);
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(size);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.byteLength;
  }
  return out;
}

function tooLarge(maxBytes: number): RelayError {
  return new RelayError(413, `Request body is larger than ${maxBytes} bytes.`, 'invalid_request_error', 'request_too_large');
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Parse a JSON object body; anything else is a 400 with a clear message. */
export function parseJsonObject(bytes: Uint8Array): Record<string, unknown> {
  if (bytes.byteLength === 0) throw new RelayError(400, 'Request body is empty; expected a JSON object.', 'invalid_request_error', 'invalid_json');
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(bytes));
  } catch (err) {
    const why = err instanceof TypeError ? 'it is not valid UTF-8' : (err as Error).message;
    throw new RelayError(400, `Request body is not valid JSON: ${why}`, 'invalid_request_error', 'invalid_json');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new RelayError(400, 'Request body must be a JSON object.', 'invalid_request_error', 'invalid_json');
  }
  return value as Record<string, unknown>;
}
