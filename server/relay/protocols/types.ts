// The seam between the relay core and an inbound protocol ("surface").
//
// A client may speak Anthropic Messages, OpenAI Responses or Gemini instead of OpenAI chat.
// Inside the relay everything is OpenAI chat (protocol/openai-types.ts), so each surface is a
// folder of pure functions the core calls in one direction:
//
//   body ──parse──▶ Req ──toChat──▶ ChatRequest ──(route, upstream)──▶ ChatResponse ──fromChat──▶ JSON
//                                                                    ╰▶ ChatChunk… ──stream()──▶ SSE text
//
// Rules every surface follows:
// - parse() validates with valibot and never throws; a failure carries a message fit for a 400.
// - toChat() throws ConversionError (→ 400 via error()) for features that only exist natively
//   (server-side tools, stored state). parse() accepts them, because a native channel passes
//   the body through untouched and can serve them.
// - A SurfaceStream turns chunks into the protocol's SSE text; the core writes what it returns.
//   It is created per request and holds the state needed to rebuild block/item boundaries.
// - Nothing here does I/O, reads config or knows about channels.
import * as v from 'valibot';
import type { ChatChunk, ChatRequest, ChatResponse, MeteredUsage, Usage } from './openai/types.ts';

export type SurfaceName = 'anthropic' | 'responses' | 'gemini';

export type ParseResult<Req> = { ok: true; request: Req } | { ok: false; message: string };

export interface Surface<Req> {
  name: SurfaceName;
  /** Validate an inbound JSON body. */
  parse(body: unknown): ParseResult<Req>;
  /**
   * Inbound request → canonical chat request for `model` (the name sent upstream).
   * `stream` defaults to the request's own flag; Gemini carries it in the URL, so the core passes it.
   */
  requestToChat(req: Req, model: string, stream?: boolean): ChatRequest;
  /** Canonical non-streamed response → the protocol's response JSON. */
  responseFromChat(res: ChatResponse, req: Req): unknown;
  /** A converter for one streamed response. */
  streamFromChat(req: Req): SurfaceStream;
  /** The protocol's own error body for an HTTP status; `type` overrides the derived error type. */
  errorBody(status: number, message: string, type?: string): SurfaceError;
  /**
   * Vendor-hosted tools the request asks for (Responses web_search, file_search, …), which
   * requestToChat() left out: a converted call runs without them, or is refused in strict mode.
   */
  hostedTools?(req: Req): string[];
}

export interface SurfaceStream {
  /** SSE text to write for one upstream chunk ('' when nothing is due yet). */
  push(chunk: ChatChunk): string;
  /** Closing events. `usage` wins over usage seen on chunks (pass it when the core metered it elsewhere). */
  end(usage?: Usage | null): string;
  /** The protocol's in-stream error after a 200 has been sent; the stream is over afterwards. */
  fail(message: string): string;
}

export interface SurfaceError {
  status: number;
  body: unknown;
}

/** A request that is valid for the protocol but cannot be expressed as OpenAI chat. Map to 400. */
export class ConversionError extends Error {
  override name = 'ConversionError';
}

/** Shared by every parse(): run a valibot schema and flatten its issues into one readable line. */
export function parseWith<S extends v.GenericSchema>(schema: S, body: unknown): ParseResult<v.InferOutput<S>> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { ok: false, message: 'Request body must be a JSON object.' };
  }
  const result = v.safeParse(schema, body);
  if (result.success) return { ok: true, request: result.output };
  const lines = result.issues.flatMap((issue) => describe(issue, '')).slice(0, 3);
  return { ok: false, message: `Invalid request: ${lines.join('; ')}` };
}

// A failed union reports "expected A | B" and hides why the matching branch failed in
// `issue.issues`, with paths relative to the union. Prefer those deeper reasons when present.
function describe(issue: v.BaseIssue<unknown>, prefix: string): string[] {
  const own = v.getDotPath(issue);
  const path = [prefix, own].filter(Boolean).join('.');
  const deeper = issue.issues?.filter((nested) => nested.path?.length);
  if (deeper?.length) return deeper.flatMap((nested) => describe(nested, path));
  return [path ? `${path}: ${issue.message}` : issue.message];
}

/** Tool-call arguments arrive as a JSON string; protocols that want an object get {} for junk. */
export function parseArguments(args: string | undefined): Record<string, unknown> {
  if (!args) return {};
  try {
    const parsed: unknown = JSON.parse(args);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Chat ids look like `chatcmpl-abc`; each protocol re-prefixes the bare part. */
export function bareId(id: string | undefined): string {
  const bare = (id ?? '').replace(/^chatcmpl-/, '').replace(/[^A-Za-z0-9_-]/g, '');
  return bare || crypto.randomUUID().replaceAll('-', '');
}

/**
 * Thinking budgets (Anthropic budget_tokens, Gemini thinkingBudget) → OpenAI reasoning_effort.
 * There is no published equivalence; the cut-offs are our convention (docs/surfaces.md):
 * under 4k → low, under 16k → medium, else high. Zero, negative or absent → no preference.
 */
export function effortForBudget(budget: number | undefined | null): 'low' | 'medium' | 'high' | undefined {
  if (typeof budget !== 'number' || budget <= 0) return undefined;
  if (budget < 4096) return 'low';
  if (budget < 16384) return 'medium';
  return 'high';
}

/** The choice a single-choice surface converts: index 0, else the first one present. */
export function firstChoice(chunk: ChatChunk): ChatChunk['choices'][number] | undefined {
  return chunk.choices.find((c) => c.index === 0) ?? chunk.choices[0];
}

/** One SSE event as read off the upstream stream. */
export interface SseEvent {
  event?: string;
  data: string;
}

/**
 * Turns a vendor's stream into OpenAI chunks, one upstream event at a time.
 * `push` throws (VendorStreamError from protocols/shared/errors.ts) when the vendor
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
