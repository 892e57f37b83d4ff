// OpenAI's error body, which the Responses API shares: {"error":{"message","type","param","code"}}.
import type { SurfaceError } from '../types.ts';

const CODES: Record<number, string> = {
  401: 'invalid_api_key',
  404: 'model_not_found',
  429: 'rate_limit_exceeded',
};

export function errorBody(status: number, message: string, type?: string): SurfaceError {
  const derived = status >= 500 ? 'server_error' : status === 429 ? 'rate_limit_error' : status === 401 ? 'authentication_error' : 'invalid_request_error';
  return { status, body: { error: { message, type: type ?? derived, param: null, code: CODES[status] ?? null } } };
}
