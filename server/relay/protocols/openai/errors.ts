// Errors in OpenAI's shape: {"error":{"message","type","code"}}. Every relay error
// response goes through here so the shape and the x-request-id header never vary.

export type ErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'insufficient_quota'
  | 'not_found_error'
  | 'rate_limit_error'
  | 'upstream_error'
  | 'timeout_error'
  | 'server_error';

export class RelayError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: ErrorType,
    readonly code: string | null = null,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function errorBody(message: string, type: string, code: string | null): string {
  return JSON.stringify({ error: { message, type, code, param: null } });
}

export function errorResponse(err: RelayError, requestId: string, extraHeaders: Record<string, string> = {}): Response {
  return new Response(errorBody(err.message, err.type, err.code), {
    status: err.status,
    headers: { 'content-type': 'application/json', 'x-request-id': requestId, ...err.headers, ...extraHeaders },
  });
}

/** The gateway's database is down and the call needs it (lease claims, rate counters): 503, retry soon. */
export const databaseUnavailable = () =>
  new RelayError(503, 'The gateway\'s database is unavailable; retry in a few seconds.', 'server_error', 'database_unavailable', { 'retry-after': '5' });

export const badRequest = (message: string, code: string | null = null) => new RelayError(400, message, 'invalid_request_error', code);
