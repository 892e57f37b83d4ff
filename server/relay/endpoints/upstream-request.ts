// The upstream request for any endpoint other than converted chat: the provider's URL for
// that endpoint, then the channel's extra headers, the provider's auth and, last, signing.
import type { ChannelTarget, Endpoint, UpstreamRequest } from '../providers/types.ts';
import type { ChannelEntry } from '../../state/types.ts';

export interface UpstreamSpec {
  endpoint: Endpoint;
  model: string;
  stream: boolean;
  body: string | Uint8Array;
  contentType: string;
  /** Protocol headers forwarded from the client (anthropic-version, …), over the provider's defaults. */
  headers?: Record<string, string>;
}

export async function upstreamRequest(channel: ChannelEntry, target: ChannelTarget, spec: UpstreamSpec): Promise<UpstreamRequest> {
  const p = channel.provider;
  const ctx = { model: spec.model, stream: spec.stream };
  const headers: Record<string, string> = {
    'content-type': spec.contentType,
    ...channel.headers,
    ...(await p.headers(target, ctx)),
    ...spec.headers,
  };
  const req: UpstreamRequest = { url: p.url(target, spec.endpoint, ctx), method: 'POST', headers, body: spec.body };
  return p.sign ? await p.sign(req, target) : req;
}

const encoder = new TextEncoder();

/** The client's JSON bytes, or the body re-serialised when the upstream needs another model name. */
export function jsonBodyFor(raw: Uint8Array, json: Record<string, unknown>, upstreamModel: string): Uint8Array {
  return json.model === upstreamModel ? raw : encoder.encode(JSON.stringify({ ...json, model: upstreamModel }));
}
