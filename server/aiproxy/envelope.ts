// AI Proxy's answer envelope (core/middleware/auth.go APIResponse): `{ success: true, data }`
// or `{ success: false, message }` with the HTTP status that says why. FastGPT rejects any
// answer whose `success` is not true and shows `message`.
import * as v from 'valibot';
import { RelayError } from '../relay/protocols/openai/errors.ts';
import { readBody } from '../relay/read-body.ts';

/** Channel bodies are small; a key pool of a few thousand keys fits well within this. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

export function ok(data: unknown, message = ''): Response {
  return Response.json({ success: true, message, data: data ?? null });
}

export function fail(status: number, message: string): Response {
  return Response.json({ success: false, message }, { status });
}

/** A refusal carried up to the route, answered as `fail(status, message)`. */
export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/**
 * The JSON body, or `{}` when there is none (FastGPT's proxy pipes an empty body with
 * `content-type: application/json` on DELETE and GET).
 */
export async function jsonBody(request: Request): Promise<unknown> {
  let bytes: Uint8Array;
  try {
    bytes = await readBody(request, MAX_BODY_BYTES);
  } catch (e) {
    if (e instanceof RelayError) throw new ApiError(e.status, e.message);
    throw e;
  }
  const text = new TextDecoder().decode(bytes);
  if (!text.trim()) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, 'The request body must be JSON.');
  }
}

/** Validate with valibot; unknown fields are dropped (v.object), problems named by field. */
export function parseInput<S extends v.GenericSchema>(schema: S, input: unknown): v.InferOutput<S> {
  const r = v.safeParse(schema, input);
  if (r.success) return r.output;
  throw new ApiError(400, r.issues.map((i) => `${v.getDotPath(i) ?? 'body'}: ${i.message}`).join('; '));
}

/** A positive integer path id (`/api/channel/:id`). */
export function pathId(raw: string, what: string): number {
  if (!/^\d{1,10}$/.test(raw) || Number(raw) < 1 || Number(raw) > 2_147_483_647) throw new ApiError(400, `${what} must be a positive integer, got "${raw}".`);
  return Number(raw);
}
