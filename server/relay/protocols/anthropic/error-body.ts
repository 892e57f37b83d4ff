// Anthropic's error body: {"type":"error","error":{"type":…,"message":…}}.
// Status → type follows https://docs.anthropic.com/en/api/errors.
import type { SurfaceError } from '../types.ts';

const TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  408: 'timeout_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

export function errorType(status: number): string {
  // Anthropic uses invalid_request_error "for other 4XX status codes not listed".
  return TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
}

export function errorBody(status: number, message: string, type?: string): SurfaceError {
  return { status, body: { type: 'error', error: { type: type ?? errorType(status), message } } };
}
