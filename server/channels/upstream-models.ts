// The models an upstream lists (GET …/models), offered when configuring a channel.
import type { ChannelTarget, Provider } from '../relay/providers/types.ts';
import { MAX_ERROR_BODY_BYTES, readBounded } from '../relay/protocols/shared/upstream-bounds.ts';
import { upstreamMessage } from '../relay/upstream.ts';
import { guardedFetch } from '../security/guarded-fetch.ts';

export async function fetchUpstreamModels(provider: Provider, target: ChannelTarget, extraHeaders: Record<string, string> = {}): Promise<string[]> {
  const ctx = { model: '', stream: false };
  const res = await guardedFetch(provider.url(target, 'models', ctx), {
    headers: { accept: 'application/json', ...extraHeaders, ...(await provider.headers(target, ctx)) },
    signal: AbortSignal.timeout(15_000),
  });
  // A redirect is not followed and its target's body never becomes the error text.
  if (res.status >= 300 && res.status < 400) {
    await res.body?.cancel().catch(() => {});
    throw new Error(`The model list answered ${res.status} (a redirect, not followed).`);
  }
  const text = new TextDecoder().decode(await readBounded(res, MAX_ERROR_BODY_BYTES * 16, !res.ok));
  if (!res.ok) throw new Error(upstreamMessage(res.status, text));
  let json: { data?: Array<{ id?: string }>; models?: Array<{ name?: string; id?: string }> };
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error('The upstream model list is not JSON.');
  }
  // OpenAI: data[].id; Gemini: models[].name ("models/gemini-…"); Ollama-style: models[].name.
  const ids = [...(json.data ?? []).map((m) => m.id), ...(json.models ?? []).map((m) => m.id ?? m.name?.replace(/^models\//, ''))];
  return [...new Set(ids.filter((x): x is string => typeof x === 'string' && x !== ''))].sort();
}
