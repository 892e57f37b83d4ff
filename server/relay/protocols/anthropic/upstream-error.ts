// Anthropic error body: {"type":"error","error":{"type":"…","message":"…"}}.
import { asRecord, asString, tryParse } from '../shared/json.ts';
import { plainError } from '../shared/errors.ts';

export function errorMessage(status: number, body: string): { message: string; type?: string } {
  const err = asRecord(asRecord(tryParse(body)).error);
  const message = asString(err.message);
  return message ? { message, type: asString(err.type) } : plainError(status, body);
}
