// The model a refused call asked for, for its log row, when parsing never got that far:
// the body's `model` field, or Gemini's `/models/{model}:…` path segment.
const decoder = new TextDecoder();
const MAX_MODEL = 200;

export function modelHint(raw: Uint8Array | null, url: URL): string {
  const fromPath = /\/models\/([^/:]+)/.exec(url.pathname)?.[1];
  if (fromPath) return safeDecode(fromPath).slice(0, MAX_MODEL);
  if (!raw || raw.byteLength === 0 || raw.byteLength > 8 * 1024 * 1024) return '';
  try {
    const model = (JSON.parse(decoder.decode(raw)) as { model?: unknown } | null)?.model;
    return typeof model === 'string' ? model.slice(0, MAX_MODEL) : '';
  } catch {
    return '';
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
