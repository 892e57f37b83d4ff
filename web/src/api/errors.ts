// Turning API failures into text for people: field messages next to fields, the rest inline.
import { TRPCClientError } from '@trpc/client';

export interface ApiErrorInfo {
  code: string;
  message: string;
  fields: Record<string, string>;
}

export function errorInfo(e: unknown): ApiErrorInfo {
  if (e instanceof TRPCClientError) {
    const data = (e.data ?? {}) as { code?: string; fields?: Record<string, string> };
    return { code: data.code ?? 'ERROR', message: e.message, fields: data.fields ?? {} };
  }
  return { code: 'ERROR', message: e instanceof Error ? e.message : String(e), fields: {} };
}

/** A failed form submit shown inside the form: field messages next to their fields, the message in its error line. */
export function inlineFormError(e: unknown, setFields: (fields: Record<string, string>) => void, setMessage: (message: string) => void): void {
  const info = errorInfo(e);
  setFields(info.fields);
  setMessage(info.message);
}

/** The server does not have this procedure (an older or partial backend). */
export function isMissingProcedure(e: unknown): boolean {
  const info = errorInfo(e);
  return info.code === 'NOT_FOUND' && /no procedure|procedure found/i.test(info.message);
}

export function isUnauthorized(e: unknown): boolean {
  return errorInfo(e).code === 'UNAUTHORIZED';
}
