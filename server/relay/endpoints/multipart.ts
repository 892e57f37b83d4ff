// multipart/form-data bodies (image edits, audio uploads): read the fields the gateway
// needs, and forward the client's original bytes unless the model name must change.
import { badRequest } from '../protocols/openai/errors.ts';

export interface MultipartBody {
  form: FormData;
  contentType: string;
}

export async function parseMultipart(raw: Uint8Array, request: Request): Promise<MultipartBody> {
  const contentType = request.headers.get('content-type') ?? '';
  if (!/^multipart\/form-data\s*;/i.test(contentType)) {
    throw badRequest('Request body must be multipart/form-data (with a boundary), as OpenAI\'s clients send it.', 'invalid_multipart');
  }
  try {
    const form = await new Response(raw as Uint8Array<ArrayBuffer>, { headers: { 'content-type': contentType } }).formData();
    return { form, contentType };
  } catch (e) {
    throw badRequest(`Request body is not valid multipart/form-data: ${(e as Error).message}`, 'invalid_multipart');
  }
}

/** A text field, or undefined when absent or a file. */
export function textField(form: FormData, name: string): string | undefined {
  const v = form.get(name);
  return typeof v === 'string' ? v : undefined;
}

export function requiredText(form: FormData, name: string): string {
  const v = textField(form, name)?.trim();
  if (!v) throw badRequest(`${name} is required as a form field.`, 'invalid_request');
  return v;
}

export function requiredFile(form: FormData, ...names: string[]): File {
  for (const name of names) {
    const v = form.get(name);
    if (v instanceof File) return v;
  }
  throw badRequest(`${names[0]} is required as a file field.`, 'invalid_request');
}

/** An optional positive integer field, e.g. `n`. */
export function intField(form: FormData, name: string, fallback: number): number {
  const v = textField(form, name);
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw badRequest(`${name} must be a positive integer.`, 'invalid_request');
  return n;
}

/** The client's bytes, or the form re-encoded (new boundary) with the upstream's model name. */
export async function multipartBodyFor(raw: Uint8Array, body: MultipartBody, upstreamModel: string): Promise<{ bytes: Uint8Array; contentType: string }> {
  if (textField(body.form, 'model') === upstreamModel) return { bytes: raw, contentType: body.contentType };
  const copy = new FormData();
  for (const [k, v] of body.form) if (k !== 'model') copy.append(k, v);
  copy.append('model', upstreamModel);
  const encoded = new Response(copy);
  // Bun only exposes the generated boundary before the body is read.
  const contentType = encoded.headers.get('content-type')!;
  return { bytes: new Uint8Array(await encoded.arrayBuffer()), contentType };
}
