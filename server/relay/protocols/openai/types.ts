// The canonical request/response shapes inside the relay: OpenAI chat completions.
// Every inbound surface converts to these, every vendor adapter converts from them.
// Only the fields the gateway reads are typed; everything else passes through untouched.

export interface ChatMessage {
  role: 'system' | 'developer' | 'user' | 'assistant' | 'tool' | 'function';
  content?: string | ChatContentPart[] | null;
  name?: string;
  tool_calls?: ToolCall[];
  tool_call_id?: string;
  reasoning_content?: string;
  [extra: string]: unknown;
}

export type ChatContentPart =
  | { type: 'text'; text: string }
  | { type: 'image_url'; image_url: { url: string; detail?: string } }
  | { type: 'input_audio'; input_audio: { data: string; format: string } }
  | { type: string; [k: string]: unknown };

export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
  index?: number;
}

/** A streamed piece of a tool call: the first carries id and name, later ones only argument text. */
export interface ToolCallDelta {
  index: number;
  id?: string;
  type?: 'function';
  function?: { name?: string; arguments?: string };
}

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean; [k: string]: unknown } | null;
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  /** Choices to generate (1–128); each is billed as output. */
  n?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  stop?: string | string[] | null;
  tools?: Array<{ type: 'function'; function: { name: string; description?: string; parameters?: unknown; strict?: boolean } }>;
  tool_choice?: 'none' | 'auto' | 'required' | { type: 'function'; function: { name: string } } | null;
  response_format?: unknown;
  reasoning_effort?: string;
  user?: string;
  [extra: string]: unknown;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number; cache_creation_tokens?: number; [k: string]: unknown } | null;
  completion_tokens_details?: { reasoning_tokens?: number; [k: string]: unknown } | null;
  [extra: string]: unknown;
}

export interface ChatResponse {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: Array<{
    index: number;
    message: ChatMessage;
    finish_reason: string | null;
    logprobs?: unknown;
  }>;
  usage?: Usage;
  [extra: string]: unknown;
}

export interface ChatChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: Array<{
    index: number;
    delta: Partial<Omit<ChatMessage, 'tool_calls'>> & { tool_calls?: ToolCallDelta[] };
    finish_reason: string | null;
  }>;
  usage?: Usage | null;
  [extra: string]: unknown;
}

/** Token counts the gateway bills on, normalised from any vendor's usage block. */
export interface MeteredUsage {
  /** Input tokens billed at the plain input price (cached and cache-write tokens excluded). */
  input: number;
  output: number;
  /** Input tokens served from the vendor's prompt cache. */
  cacheRead: number;
  /** Input tokens written to the prompt cache, all TTLs together. */
  cacheWrite: number;
  /** Part of `cacheWrite` written with a 1 hour TTL (the rest is 5 minutes). */
  cacheWrite1h: number;
  /** Part of `output` spent on reasoning (already included in output). */
  reasoning: number;
}

export const ZERO_USAGE: MeteredUsage = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, cacheWrite1h: 0, reasoning: 0 };

/** The most tokens a call_logs column holds (int4). */
const MAX_LOGGED_TOKENS = 2_147_483_647;
const count = (x: number, max: number): number => Math.min(num(x), max);

/**
 * Usage as a call can be billed and logged: whole, non-negative token counts, the prompt's
 * parts together and the output within int4. Meters take vendors' numbers as sent, and one
 * fractional, negative, NaN, `1e400` (Infinity) or 3-billion count failed the log writer's
 * whole batch, and every retry of it, stopping logs and settlement for everyone.
 */
export function boundedUsage(u: MeteredUsage): MeteredUsage {
  const cacheRead = count(u.cacheRead, MAX_LOGGED_TOKENS);
  const cacheWrite = count(u.cacheWrite, MAX_LOGGED_TOKENS - cacheRead);
  const output = count(u.output, MAX_LOGGED_TOKENS);
  return {
    input: count(u.input, MAX_LOGGED_TOKENS - cacheRead - cacheWrite),
    output,
    cacheRead,
    cacheWrite,
    cacheWrite1h: count(u.cacheWrite1h, cacheWrite),
    reasoning: count(u.reasoning, output),
  };
}

/**
 * OpenAI-wire usage → metered usage. prompt_tokens includes cached and cache-write tokens.
 * Vendors on the OpenAI wire name the cache and reasoning counts differently:
 * - OpenAI, Qwen, Zhipu, xAI, Gemini's OpenAI endpoint: prompt_tokens_details.cached_tokens,
 *   completion_tokens_details.reasoning_tokens
 * - DeepSeek: prompt_cache_hit_tokens / prompt_cache_miss_tokens (no details object)
 *   https://api-docs.deepseek.com/api/create-chat-completion
 * - Moonshot (Kimi): top-level cached_tokens
 * - Qwen (DashScope) explicit cache: prompt_tokens_details.cache_creation_input_tokens
 * - OpenRouter: prompt_tokens_details.cache_write_tokens
 * - Anthropic-backed OpenAI proxies: top-level cache_read_input_tokens / cache_creation_input_tokens
 * - some vLLM/SGLang builds: top-level reasoning_tokens
 */
export function meterOpenAIUsage(u: Usage | null | undefined): MeteredUsage | null {
  if (!u || typeof u.prompt_tokens !== 'number') return null;
  const d = u.prompt_tokens_details;
  const cached = num(d?.cached_tokens) || num(u.prompt_cache_hit_tokens) || num(u.cached_tokens) || num(u.cache_read_input_tokens);
  const cacheWrite = num(d?.cache_creation_tokens) || num(d?.cache_creation_input_tokens) || num(d?.cache_write_tokens) || num(u.cache_creation_input_tokens);
  return {
    input: Math.max(0, u.prompt_tokens - cached - cacheWrite),
    output: num(u.completion_tokens),
    cacheRead: cached,
    cacheWrite,
    cacheWrite1h: 0,
    reasoning: num(u.completion_tokens_details?.reasoning_tokens) || num(u.reasoning_tokens),
  };
}

function num(x: unknown): number {
  return typeof x === 'number' && Number.isFinite(x) && x > 0 ? Math.floor(x) : 0;
}

/** The largest output-token limit accepted (int4's maximum): more is a typo or an attack, never a real limit. */
export const MAX_TOKENS = 2_147_483_647;
