// Gemini REST paths: /v1beta/models/{model}:generateContent, or
// :streamGenerateContent?alt=sse for SSE instead of a JSON array stream.
import { joinUrl } from '../url.ts';

export function geminiModelUrl(baseUrl: string, model: string, stream: boolean): string {
  const name = model.replace(/^models\//, '');
  const base = baseUrl.replace(/\/+$/, '').replace(/\/models\/[^/]*$/, '');
  const method = stream ? 'streamGenerateContent?alt=sse' : 'generateContent';
  return `${joinUrl(base, '/v1beta', '/models')}/${name}:${method}`;
}
