// The one seam between the relay core and a vendor. A vendor is a folder under
// providers/ whose index.ts exports a `Provider` declaring everything about it: identity,
// URLs and auth headers, the inbound protocols it takes as they are (`native`), for
// vendors that do not speak OpenAI's wire format the chat conversions (`chat`, usually the
// protocol's own from server/relay/protocols/) and other endpoints (`operations`), and
// its balance reader. The core never names a vendor (test/unit/vendor-free-core.test.ts);
// it asks the registry (one line per vendor) for the provider of a channel's type.
//
// Streams: by default the upstream stream is SSE and the core parses it into SseEvent.
// A provider whose stream is framed differently (AWS Bedrock's binary event-stream)
// supplies `streamDecoder()`; the core feeds it raw bytes and hands the resulting
// events to `chat.streamToChat()` exactly as it would SSE events.
import type { ChatRequest, ChatResponse, MeteredUsage } from '../protocols/openai/types.ts';
import type { ChatParamRules } from '../protocols/shared/params.ts';
import type { ChatStreamConverter, SseEvent, SurfaceName } from '../protocols/types.ts';

export type { ChatStreamConverter, SseEvent };

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

/** Turns non-SSE stream bytes into events, incrementally (partial frames are buffered). */
export interface StreamDecoder {
  push(bytes: Uint8Array): SseEvent[];
  /** Called at end of stream; throws if the stream stopped inside a frame. */
  end?(): SseEvent[];
}

/** An upstream balance as the vendor gave it: decimal text and currency. */
export interface BalanceReading {
  amount: string;
  currency: string;
}

/** What a balance reader gets from the core: authenticated GETs and exact decimal math. */
export interface BalanceApi {
  /** GET a path off the channel's host root with the channel's key; the parsed JSON (throws with the vendor's message). */
  get(path: string): Promise<Record<string, any>>;
  /** A decimal amount (string or number) in nano-units (throws on anything else). */
  nano(amount: unknown): bigint;
  /** Nano-units as decimal text. */
  decimal(nano: bigint): string;
}

/** How a vendor takes an inbound protocol's request as it is. */
export interface NativeProtocol {
  /** Whether this channel serves the protocol for `upstreamModel` (default: always). */
  serves?(config: Record<string, string>, upstreamModel: string): boolean;
  /** The body to send, from the client's JSON; without it the client's bytes go (model renamed if mapped). */
  body?(json: Record<string, unknown>, upstreamModel: string): Record<string, unknown>;
  /** Headers the protocol carries from the client (and the channel) to this vendor. */
  headers?(request: Request, target: ChannelTarget): Record<string, string>;
}

/** One non-chat endpoint on a native-wire vendor: OpenAI JSON in, OpenAI JSON out. */
export interface Operation {
  requestFromOpenAI(body: Record<string, unknown>, upstreamModel: string): unknown;
  /** The vendor's answer as OpenAI's answer for the endpoint (usage included when the vendor reports it). */
  responseToOpenAI(json: unknown, upstreamModel: string): unknown;
}

export interface Provider {
  /** Slug accepted in the `X-AI-Provider` header, e.g. `deepseek`. */
  id: string;
  /** One API channel type ids served by this adapter (first one is canonical). */
  types: number[];
  name: { en: string; zh: string };
  defaultBaseUrl: string;
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
    requestFromChat(req: ChatRequest, target: ChannelTarget): unknown;
    responseToChat(json: unknown, model: string): { response: ChatResponse; usage: MeteredUsage | null };
    streamToChat(model: string): ChatStreamConverter;
    /** Extract a human message from a vendor error body. */
    errorMessage?(status: number, body: string): { message: string; type?: string; code?: string };
  };
  /**
   * Inbound protocols this vendor speaks natively (Anthropic Messages, Gemini, Responses):
   * a request in one of them goes through unconverted, with the edits declared here, and
   * the answer comes back byte for byte. Without an entry the core converts through chat.
   */
  native?: Partial<Record<SurfaceName, NativeProtocol>>;
  /**
   * Endpoints other than chat that a native-wire vendor serves (embeddings, images, …),
   * with the conversions between OpenAI's JSON and the vendor's. OpenAI-wire vendors serve
   * every endpoint as it is and need no entry.
   */
  operations?: Partial<Record<Endpoint, Operation>>;
  /** Reads the remaining balance, where the vendor offers an endpoint for it. */
  balance?(api: BalanceApi, channel: { baseUrl: string }): Promise<BalanceReading>;
  /** For streams that are not SSE: a fresh decoder per upstream stream. */
  streamDecoder?(): StreamDecoder;
  /**
   * A vendor with two APIs told apart by the key's shape (Tencent: bearer API key vs One API's
   * `AppId|SecretId|SecretKey`; Baidu: v2 API key vs v1 `AK|SK`) returns the provider for this key.
   */
  forKey?(key: string): Provider | undefined;
  /** Request signing that needs the final body (AWS SigV4). Runs last. */
  sign?(req: UpstreamRequest, target: ChannelTarget): Promise<UpstreamRequest> | UpstreamRequest;
}
