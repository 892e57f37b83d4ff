// Bedrock error body: {"message":"…"} (the type travels in the x-amzn-ErrorType header).
import { asRecord, asString, tryParse } from '../../protocols/shared/json.ts';
import { plainError } from '../../protocols/shared/errors.ts';

export function bedrockError(status: number, body: string): { message: string; type?: string } {
  const b = asRecord(tryParse(body));
  const message = asString(b.message) ?? asString(b.Message);
  return message ? { message, type: asString(b.__type) ?? errorTypeFor(status) } : plainError(status, body);
}

function errorTypeFor(status: number): string {
  if (status === 429) return 'ThrottlingException';
  if (status === 403) return 'AccessDeniedException';
  if (status === 400) return 'ValidationException';
  return 'upstream_error';
}
