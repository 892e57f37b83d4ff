// A slow OpenAI-wire SSE upstream for the concurrent-streams benchmark: every streamed chat
// call gets its first chunk at once, then one chunk every INTERVAL_MS, CHUNKS in all, the
// last with usage, then [DONE]. Run as its own process: `PORT=… bun bench/streams/mock-upstream.ts`.
export {};
const chunks = Number(process.env.CHUNKS ?? 8);
const interval = Number(process.env.INTERVAL_MS ?? 1000);
const enc = new TextEncoder();
let open = 0;
let peak = 0;

const chunk = (i: number, last: boolean) => enc.encode(`data: ${JSON.stringify({
  id: 'chatcmpl-slow', object: 'chat.completion.chunk', created: 1700000000, model: 'gpt-4o-mini',
  choices: [{ index: 0, delta: { content: `tok${i} ` }, finish_reason: last ? 'stop' : null }],
  ...(last ? { usage: { prompt_tokens: 12, completion_tokens: chunks, total_tokens: 12 + chunks } } : {}),
})}\n\n`);

Bun.serve({
  port: Number(process.env.PORT ?? 9110),
  hostname: '127.0.0.1',
  idleTimeout: 120,
  async fetch(req) {
    const url = new URL(req.url);
    if (url.pathname === '/stats') {
      const out = Response.json({ open, peak });
      if (url.searchParams.has('reset')) peak = open;
      return out;
    }
    if (req.method !== 'POST') return Response.json({ object: 'list', data: [{ id: 'gpt-4o-mini', object: 'model' }] });
    await req.arrayBuffer();
    let i = 0;
    let timer: ReturnType<typeof setInterval> | undefined;
    open++;
    peak = Math.max(peak, open);
    const done = () => { if (timer) clearInterval(timer); timer = undefined; open--; };
    return new Response(new ReadableStream({
      start(c) {
        c.enqueue(chunk(i++, false));
        timer = setInterval(() => {
          try {
            const last = i === chunks - 1;
            c.enqueue(chunk(i++, last));
            if (last) {
              c.enqueue(enc.encode('data: [DONE]\n\n'));
              c.close();
              done();
            }
          } catch { done(); }
        }, interval);
      },
      cancel: done,
    }), { headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' } });
  },
});
