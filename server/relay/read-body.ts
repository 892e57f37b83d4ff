// Read a request body with a hard size cap, failing fast on Content-Length.
import { MAX_JSON_DEPTH, nestsDeeperThan } from '../limits/json-depth.ts';
import { RelayError } from './protocols/openai/errors.ts';

export async function readBody(req: Request, maxBytes: number, timeoutMs = 0): Promise<Uint8Array> {
  const declared = Number(req.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) throw tooLarge(maxBytes);
  if (!timeoutMs) return readWithin(req, maxBytes, declared);
  // A client that sends its body slowly (or never finishes it) holds nothing past the deadline.
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      req.body?.cancel().catch(() => {});
      reject(new RelayError(408, `The request body was not received within ${timeoutMs} ms (REQUEST_BODY_TIMEOUT_MS).`, 'invalid_request_error', 'request_body_timeout'));
    }, timeoutMs);
  });
  try {
    return await Promise.race([readWithin(req, maxBytes, declared), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

async function readWithin(req: Request, maxBytes: number, declared: number): Promise<Uint8Array> {
  try {
    return await readAll(req, maxBytes, declared);
  } catch (e) {
    if (e instanceof RelayError) throw e;
    // The client went away (or the connection broke) mid-body: its doing, not a gateway fault.
    if (req.signal.aborted) throw new RelayError(499, 'Client closed the request while sending its body.', 'invalid_request_error', 'client_closed');
    throw new RelayError(400, `The request body could not be read: ${(e as Error).message}`, 'invalid_request_error', 'body_read_failed');
  }
}

async function readAll(req: Request, maxBytes: number, declared: number): Promise<Uint8Array> {
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
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
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
  if (nestsDeeperThan(value)) {
    throw new RelayError(400, `Request body nests JSON more than ${MAX_JSON_DEPTH} levels deep.`, 'invalid_request_error', 'nesting_too_deep');
  }
  return value as Record<string, unknown>;
}

/** A percent-decoded path segment; a malformed escape (`%ZZ`) is the client's 400, never our 500. */
export function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new RelayError(400, `The request path has a malformed percent-escape: ${JSON.stringify(segment.slice(0, 200))}.`, 'invalid_request_error', 'invalid_path');
  }
}
