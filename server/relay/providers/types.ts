// The one seam between the relay core and a vendor. A vendor is a folder under
// providers/ whose index.ts exports a `Provider`: identity, URLs, auth and, for vendors
// that do not speak OpenAI's wire format, pure conversion functions. The core never
// names a vendor; it asks the registry for the provider of a channel's type.
//
// Streams: by default the upstream stream is SSE and the core parses it into SseEvent.
// A provider whose stream is framed differently (AWS Bedrock's binary event-stream)
// supplies `streamDecoder()`; the core feeds it raw bytes and hands the resulting
// events to `chat.stream()` exactly as it would SSE events.
import type { ChatChunk, ChatRequest, ChatResponse, MeteredUsage } from '../protocol/openai-types.ts';
import type { ChatParamRules } from './shared/params.ts';

/** What an adapter sees of a channel for one upstream attempt. */
export interface ChannelTarget {
  id: number;
  type: number;
  /** The operator's base URL, or the provider's default when empty. No trailing slash. */
  baseUrl: string;
  /** The upstream key picked from the channel's pool, decrypted. Composite keys (`AK|SK`) stay whole. */
  key: string;
  /** Extra per-type settings: api_version, region, user_id, … */
  config: Record<string, string>;
}

export type AuthStyle = 'bearer' | 'x-api-key' | 'api-key' | 'x-goog-api-key' | 'signature' | 'none';

export interface ConfigField {
  name: string;
  label: { en: string; zh: string };
  required?: boolean;
  placeholder?: string;
}

/** The OpenAI endpoints the relay serves; adapters say where each lives upstream. */
export type Endpoint =
  | 'chat/completions'
  | 'completions'
  | 'embeddings'
  | 'images/generations'
  | 'images/edits'
  | 'audio/speech'
  | 'audio/transcriptions'
  | 'audio/translations'
  | 'moderations'
  | 'rerank'
  | 'responses'
  | 'models';

export interface UpstreamRequest {
  url: string;
  method: 'POST' | 'GET';
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

/** One SSE event as read off the upstream stream. */
export interface SseEvent {
  event?: string;
  data: string;
}

/** Turns non-SSE stream bytes into events, incrementally (partial frames are buffered). */
export interface StreamDecoder {
  push(bytes: Uint8Array): SseEvent[];
  /** Called at end of stream; throws if the stream stopped inside a frame. */
  end?(): SseEvent[];
}

/**
 * Turns a vendor's stream into OpenAI chunks, one upstream event at a time.
 * `push` throws (VendorStreamError from providers/shared/errors.ts) when the vendor
 * reports an error inside the stream.
 */
export interface ChatStreamConverter {
  push(event: SseEvent): ChatChunk[];
  /**
   * Called when the upstream stream ends; may flush a finish chunk. When the vendor
   * reported usage, the last chunk returned is OpenAI's usage chunk (`choices: []`,
   * `usage` set); the core forwards it only if the client asked for include_usage.
   */
  end(): ChatChunk[];
  /** Usage seen so far (vendors report it at the end or spread over events). */
  usage(): MeteredUsage | null;
}

export interface Provider {
  /** Slug accepted in the `X-AI-Provider` header, e.g. `deepseek`. */
  id: string;
  /** One API channel type ids served by this adapter (first one is canonical). */
  types: number[];
  name: { en: string; zh: string };
  defaultBaseUrl: string;
  auth: AuthStyle;
  /** Hint shown to operators, e.g. `AK|SK` or `id.secret`. */
  keyFormat?: string;
  configFields?: ConfigField[];
  /** The vendor's current models, offered as presets in the console. */
  models: string[];
  /**
   * `openai`: the upstream speaks OpenAI's wire format; the core passes bytes through
   * and only rewrites what it must (model name, stream usage option).
   * Anything else: the core calls the `chat` converters below.
   */
  wire: 'openai' | 'native';
  /** Parameter limits of the vendor's chat API, applied to requests the gateway converted. */
  params?: ChatParamRules;
  /** Full upstream URL for an endpoint. */
  url(target: ChannelTarget, endpoint: Endpoint, ctx: { model: string; stream: boolean }): string;
  /** Auth and vendor headers for one request. May be async (signed tokens, cached until they expire). */
  headers(target: ChannelTarget, ctx: { model: string; stream: boolean }): Record<string, string> | Promise<Record<string, string>>;
  /** Native wire only: conversions between OpenAI chat and the vendor's protocol. */
  chat?: {
    toUpstream(req: ChatRequest, target: ChannelTarget): unknown;
    fromUpstream(json: unknown, model: string): { response: ChatResponse; usage: MeteredUsage | null };
    stream(model: string): ChatStreamConverter;
    /** Extract a human message from a vendor error body. */
    error?(status: number, body: string): { message: string; type?: string; code?: string };
  };
  /** For streams that are not SSE: a fresh decoder per upstream stream. */
  streamDecoder?(): StreamDecoder;
  /** Request signing that needs the final body (AWS SigV4). Runs last. */
  sign?(req: UpstreamRequest, target: ChannelTarget): Promise<UpstreamRequest> | UpstreamRequest;
}
