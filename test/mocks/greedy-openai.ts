// An upstream in OpenAI's chat wire format that spends every token it may: `n` choices of
// `max_tokens` each (finish_reason "length"), usage.completion_tokens summing all choices as
// OpenAI reports it (https://platform.openai.com/docs/api-reference/chat/object). For
// worst-case billing tests.
export const GREEDY_PROMPT_TOKENS = 10;

export function startGreedyUpstream() {
  return Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    async fetch(req) {
      const body = await req.json() as { model: string; n?: number; max_tokens?: number; max_completion_tokens?: number };
      const n = body.n ?? 1;
      const max = body.max_completion_tokens ?? body.max_tokens ?? 16;
      const choices = Array.from({ length: n }, (_, index) => ({ index, message: { role: 'assistant', content: 'x'.repeat(8) }, finish_reason: 'length' }));
      return Response.json({
        id: 'chatcmpl-greedy', object: 'chat.completion', created: 1_700_000_000, model: body.model, choices,
        usage: { prompt_tokens: GREEDY_PROMPT_TOKENS, completion_tokens: n * max, total_tokens: GREEDY_PROMPT_TOKENS + n * max },
      });
    },
  });
}
