// Google's error body: {"error":{"code":400,"message":"…","status":"INVALID_ARGUMENT"}}.
// HTTP status → canonical status name as listed in the Gemini API troubleshooting guide.
import type { SurfaceError } from '../types.ts';

const STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  500: 'INTERNAL',
  501: 'UNIMPLEMENTED',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

export function errorObject(status: number, message: string, type?: string) {
  const name = type ?? STATUS[status] ?? (status >= 500 ? 'INTERNAL' : 'INVALID_ARGUMENT');
  return { error: { code: status, message, status: name } };
}

export function errorBody(status: number, message: string, type?: string): SurfaceError {
  return { status, body: errorObject(status, message, type) };
}
