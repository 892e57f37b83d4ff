// `data:` URLs carry inline files (images, PDFs) in OpenAI requests; vendors want the
// media type and base64 payload as separate fields.

export interface InlineData {
  mediaType: string;
  data: string;
}

export function parseDataUrl(url: string): InlineData | null {
  const m = /^data:([^;,]+)?((?:;[^;,]+)*?);base64,(.*)$/s.exec(url);
  if (!m) return null;
  return { mediaType: m[1] ?? 'application/octet-stream', data: m[3] ?? '' };
}

const EXT_TYPES: Record<string, string> = {
  png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp',
  heic: 'image/heic', heif: 'image/heif', pdf: 'application/pdf',
};

/** Best guess at a remote file's media type from its extension (Gemini's fileData needs one). */
export function mediaTypeFromUrl(url: string): string {
  const ext = /\.([a-z0-9]+)(?:[?#]|$)/i.exec(url)?.[1]?.toLowerCase();
  return (ext && EXT_TYPES[ext]) || 'image/jpeg';
}
