// Google error body: {"error":{"code":400,"message":"…","status":"INVALID_ARGUMENT"}},
// sometimes wrapped in a one-element array.
import { asRecord, asString, tryParse } from '../shared/json.ts';
import { plainError } from '../shared/errors.ts';

export function errorMessage(status: number, body: string): { message: string; type?: string; code?: string } {
  let parsed = tryParse(body);
  if (Array.isArray(parsed)) parsed = parsed[0];
  const err = asRecord(asRecord(parsed).error);
  const message = asString(err.message);
  if (!message) return plainError(status, body);
  return { message, type: asString(err.status), code: err.code === undefined ? undefined : String(err.code) };
}
