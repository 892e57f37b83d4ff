// Turning API failures into text for people: field messages next to fields, the rest inline.
// The server sends English messages plus codes (server/admin/error-codes.ts): `reason` and
// `params` for the error, `issues` per field; other languages are translated from the codes.
import { TRPCClientError } from '@trpc/client';
import type { FieldIssue } from '../../../server/admin/error-codes.ts';
import { locale, type MessageKey, t } from '../i18n/index.ts';

export interface ApiErrorInfo {
  code: string;
  message: string;
  fields: Record<string, string>;
}

interface ErrorData {
  code?: string;
  fields?: Record<string, string>;
  issues?: Record<string, FieldIssue>;
  reason?: string;
  params?: Record<string, string>;
}

/** A translation when the dictionary has `key`, else undefined. */
function maybe(key: string, params?: Record<string, string | number>): string | undefined {
  const text = t(key as MessageKey, params);
  return text === key ? undefined : text;
}

function translateReason(data: ErrorData): string | undefined {
  if (!data.reason) return undefined;
  const params = { ...(data.params ?? {}) };
  if (params.phase) params.phase = maybe(`errors.phases.${params.phase}`) ?? params.phase;
  return maybe(`errors.${data.reason}`, params);
}

function translateIssue(issue: FieldIssue | undefined): string | undefined {
  if (!issue) return undefined;
  return maybe(`errors.issues.${issue.type}`, issue.requirement !== undefined ? { requirement: issue.requirement } : undefined) ?? maybe('errors.issues.custom');
}

export function errorInfo(e: unknown): ApiErrorInfo {
  if (e instanceof TRPCClientError) {
    const data = (e.data ?? {}) as ErrorData;
    const fields = { ...(data.fields ?? {}) };
    // English is the server's own language; others come from the codes.
    if (locale() === 'en') return { code: data.code ?? 'ERROR', message: e.message, fields };
    for (const path of Object.keys(fields)) fields[path] = translateIssue(data.issues?.[path]) ?? fields[path]!;
    const fieldMessage = Object.keys(fields).length ? maybe('errors.invalidInput') : undefined;
    return { code: data.code ?? 'ERROR', message: translateReason(data) ?? fieldMessage ?? e.message, fields };
  }
  const message = e instanceof Error ? e.message : String(e);
  if (locale() !== 'en' && /fetch|network|Failed to fetch|NetworkError/i.test(message)) return { code: 'ERROR', message: t('errors.network'), fields: {} };
  return { code: 'ERROR', message, fields: {} };
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
