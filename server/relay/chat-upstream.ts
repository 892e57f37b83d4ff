// Chat completions against any channel: build the upstream request, and read the answer
// back as OpenAI chat (a response, or a stream of chunks) whatever the vendor's wire.
// Used by /v1/chat/completions and by every inbound surface that converts to chat.
import { applyChatOverrides, hasChatOverrides } from './overrides.ts';
import type { ChannelEntry } from '../state/types.ts';
import { RelayError } from './protocols/openai/errors.ts';
import { type ChatChunk, type ChatRequest, type ChatResponse, type MeteredUsage, meterOpenAIUsage, type Usage } from './protocols/openai/types.ts';
import { fitChatParams } from './protocols/shared/params.ts';
import { VendorStreamError } from './protocols/shared/errors.ts';
import type { ChannelTarget, UpstreamRequest } from './providers/types.ts';
import { SseParser } from './sse.ts';
import { splitResponse, splitsThinkTags, thinkChunkSplitter } from './think-tags.ts';

/**
 * The upstream request for a chat call. OpenAI-wire channels get the client's bytes when
 * nothing needs changing (`raw`), else the body re-serialised with the mapped model and
 * `stream_options.include_usage` so streamed calls can be metered.
 */
export async function chatUpstream(channel: ChannelEntry, target: ChannelTarget, body: ChatRequest, raw: Uint8Array | null, upstreamModel: string): Promise<UpstreamRequest> {
  // Forced system prompt and parameter overrides; without any, the client's bytes stay usable.
  if (hasChatOverrides(channel)) {
    body = applyChatOverrides(channel, body);
    raw = null;
  }
  const p = channel.provider;
  // A request the gateway built (converted from another protocol: no client bytes) or is about
  // to convert (native vendor) is fitted to the vendor's parameter rules.
  if (!raw || p.wire !== 'openai') body = fitChatParams(p.params, body, upstreamModel);
  const stream = body.stream === true;
  const ctx = { model: upstreamModel, stream };
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: stream ? 'text/event-stream' : 'application/json',
    ...channel.headers,
    ...(await p.headers(target, ctx)),
  };
  let payload: string | Uint8Array;
  if (p.wire === 'openai') {
    const needsUsage = stream && body.stream_options?.include_usage !== true;
    payload = raw && upstreamModel === body.model && !needsUsage ? raw : JSON.stringify({
      ...body,
      model: upstreamModel,
      ...(needsUsage ? { stream_options: { ...body.stream_options, include_usage: true } } : {}),
    });
  } else {
    if (!p.chat) throw new RelayError(500, `Channel type ${channel.type} has no chat adapter.`, 'server_error', 'adapter_missing');
    try {
      payload = JSON.stringify(p.chat.requestFromChat({ ...body, model: upstreamModel }, target));
    } catch (e) {
      const status = (e as { status?: number }).status;
      throw new RelayError(status === 400 ? 400 : 500, (e as Error).message, status === 400 ? 'invalid_request_error' : 'server_error', 'conversion_failed');
    }
  }
  const req: UpstreamRequest = { url: p.url(target, 'chat/completions', ctx), method: 'POST', headers, body: payload };
  return p.sign ? await p.sign(req, target) : req;
}

/** A non-streamed upstream answer as OpenAI chat, with its metered usage (null if none reported). */
export function chatResponseOf(channel: ChannelEntry, json: unknown, upstreamModel: string): { response: ChatResponse; usage: MeteredUsage | null } {
  const out = rawChatResponseOf(channel, json, upstreamModel);
  if (splitsThinkTags(channel)) splitResponse(out.response);
  return out;
}

function rawChatResponseOf(channel: ChannelEntry, json: unknown, upstreamModel: string): { response: ChatResponse; usage: MeteredUsage | null } {
  if (channel.provider.wire === 'openai') {
    const response = json as ChatResponse;
    if (!response || typeof response !== 'object' || !Array.isArray(response.choices)) {
      throw new RelayError(502, 'Upstream returned JSON that is not a chat completion.', 'upstream_error', 'upstream_bad_response');
    }
    return { response, usage: meterOpenAIUsage((json as { usage?: Usage }).usage) };
  }
  try {
    return channel.provider.chat!.responseToChat(json, upstreamModel);
  } catch (e) {
    // Vendors that answer HTTP 200 with an error inside (Tencent Cloud API 3.0) raise it here.
    if (e instanceof VendorStreamError) throw new RelayError(502, e.message, 'upstream_error', e.code ?? 'upstream_error');
    throw e;
  }
}

export interface ChunkSource {
  push(bytes: Uint8Array): ChatChunk[];
  end(): ChatChunk[];
  usage(): MeteredUsage | null;
}

/** Upstream stream bytes → OpenAI chunks, for any wire (with `<think>` tags split out when the channel asks). */
export function chunkSource(channel: ChannelEntry, upstreamModel: string): ChunkSource {
  const source = rawChunkSource(channel, upstreamModel);
  if (!splitsThinkTags(channel)) return source;
  const think = thinkChunkSplitter();
  return {
    push: (b) => think.push(source.push(b)),
    end: () => {
      const tail = think.push(source.end());
      // Held-back text goes out before the finish and usage chunks.
      const at = tail.findIndex((c) => c.choices.length === 0 || c.choices.some((ch) => ch.finish_reason));
      const flushed = think.end();
      return at === -1 ? [...tail, ...flushed] : [...tail.slice(0, at), ...flushed, ...tail.slice(at)];
    },
    usage: () => source.usage(),
  };
}

function rawChunkSource(channel: ChannelEntry, upstreamModel: string): ChunkSource {
  const p = channel.provider;
  if (p.wire === 'openai') {
    const parser = new SseParser();
    let usage: MeteredUsage | null = null;
    const parse = (events: Array<{ data: string }>) => {
      const out: ChatChunk[] = [];
      for (const ev of events) {
        if (!ev.data || ev.data === '[DONE]') continue;
        let chunk: ChatChunk & { error?: { message?: string } };
        try { chunk = JSON.parse(ev.data); } catch { continue; }
        if (chunk.error) throw new RelayError(502, `Upstream stream error: ${chunk.error.message ?? 'unknown'}`, 'upstream_error', 'upstream_stream_error');
        usage = meterOpenAIUsage(chunk.usage) ?? usage;
        out.push(chunk);
      }
      return out;
    };
    return { push: (b) => parse(parser.push(b)), end: () => parse(parser.end()), usage: () => usage };
  }
  const decoder = p.streamDecoder?.() ?? new SseParser();
  const converter = p.chat!.streamToChat(upstreamModel);
  return {
    push: (b) => decoder.push(b).flatMap((ev) => converter.push(ev)),
    end: () => [...(decoder.end?.() ?? []).flatMap((ev) => converter.push(ev)), ...converter.end()],
    usage: () => converter.usage(),
  };
}
