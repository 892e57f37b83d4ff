// An OpenAI chat upstream that keeps a prompt cache per API key, as OpenAI documents it
// (platform.openai.com/docs/guides/prompt-caching): caching applies from 1,024 prompt
// tokens, hits are on the longest previously seen prefix in 128-token steps, and the answer
// reports them in `usage.prompt_tokens_details.cached_tokens` (included in `prompt_tokens`).
// The cache is per key here (a stricter stand-in for per organisation), so a gateway that
// spreads a conversation over keys or channels sees it cold. Tokens are counted as
// characters / 4 over the request's messages and tools. It tallies what it would charge
// (input, cached input at a tenth, output) in nano-USD, and can fail on demand.
import type { Server } from 'bun';

export interface CachingUpstreamPrices {
  /** nano-USD per token */
  input: number;
  cached: number;
  output: number;
}

export interface CachingUpstream {
  url: string;
  /** Requests served per key, and failed. */
  calls: Map<string, number>;
  failed: number;
  promptTokens: number;
  cachedTokens: number;
  outputTokens: number;
  /** What this upstream charged, nano-USD. */
  charged: number;
  /** Answer every chat request with 500 while true. */
  failing: boolean;
  reset(): void;
  stop(): Promise<void>;
}

const BLOCK = 128;
const MIN_CACHED = 1024;
const OUTPUT_TOKENS = 60;

export async function startCachingUpstream(prices: CachingUpstreamPrices = { input: 2500, cached: 250, output: 10_000 }): Promise<CachingUpstream> {
  const caches = new Map<string, Set<bigint>>();
  const state: Omit<CachingUpstream, 'url' | 'stop' | 'reset'> = { calls: new Map(), failed: 0, promptTokens: 0, cachedTokens: 0, outputTokens: 0, charged: 0, failing: false };
  const server: Server<undefined> = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    async fetch(req) {
      const path = new URL(req.url).pathname;
      if (path !== '/v1/chat/completions') return Response.json({ error: { message: 'not found', type: 'invalid_request_error' } }, { status: 404 });
      const key = (req.headers.get('authorization') ?? '').replace(/^Bearer /, '');
      const body = (await req.json()) as { model: string; messages: unknown[]; tools?: unknown[] };
      if (state.failing) {
        state.failed++;
        return Response.json({ error: { message: 'The server had an error while processing your request.', type: 'server_error' } }, { status: 500 });
      }
      state.calls.set(key, (state.calls.get(key) ?? 0) + 1);
      // The prompt as the model sees it: tools first, then the messages in order.
      const text = JSON.stringify(body.tools ?? []) + JSON.stringify(body.messages);
      const tokens = Math.ceil(text.length / 4);
      let cache = caches.get(key);
      if (!cache) caches.set(key, (cache = new Set()));
      let cached = 0;
      const blocks = Math.floor(tokens / BLOCK);
      const hashes: bigint[] = [];
      for (let b = 1; b <= blocks; b++) hashes.push(Bun.hash.wyhash(text.slice(0, b * BLOCK * 4)) as bigint);
      for (let b = blocks; b >= 1; b--) {
        if (b * BLOCK >= MIN_CACHED && cache.has(hashes[b - 1]!)) {
          cached = b * BLOCK;
          break;
        }
      }
      for (const h of hashes) cache.add(h);
      state.promptTokens += tokens;
      state.cachedTokens += cached;
      state.outputTokens += OUTPUT_TOKENS;
      state.charged += (tokens - cached) * prices.input + cached * prices.cached + OUTPUT_TOKENS * prices.output;
      return Response.json({
        id: `chatcmpl-${crypto.randomUUID()}`, object: 'chat.completion', created: Math.floor(Date.now() / 1000), model: body.model,
        choices: [{ index: 0, message: { role: 'assistant', content: 'Done. '.repeat(40) }, finish_reason: 'stop', logprobs: null }],
        usage: {
          prompt_tokens: tokens, completion_tokens: OUTPUT_TOKENS, total_tokens: tokens + OUTPUT_TOKENS,
          prompt_tokens_details: { cached_tokens: cached, audio_tokens: 0 },
          completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
        },
      });
    },
  });
  const up = Object.assign(state, {
    url: `http://127.0.0.1:${server.port}`,
    reset() {
      caches.clear();
      state.calls.clear();
      state.failed = state.promptTokens = state.cachedTokens = state.outputTokens = state.charged = 0;
      state.failing = false;
    },
    async stop() {
      await server.stop(true);
    },
  });
  return up;
}
