// An upstream's usage numbers are taken as sent, and call_logs holds tokens as int4. A
// fractional, negative, `1e400` (Infinity in JSON.parse) or 3-billion count used to reach the
// log writer as is: Postgres refused the row, which failed the flush's whole batch, and every
// retry of it, so no call was logged or settled after it. Each call is now billed and logged
// with whole counts within the column (server/relay/protocols/openai/types.ts boundedUsage).
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { seed, type Seeded } from '../helpers/seed.ts';

/** Usage objects as raw JSON text: `1e400` cannot be written with JSON.stringify. */
const USAGES: Record<string, string> = {
  huge: '{"prompt_tokens": 3000000000, "completion_tokens": 2500000000, "total_tokens": 5500000000}',
  fractional: '{"prompt_tokens": 12.7, "completion_tokens": 3.2, "total_tokens": 15.9, "completion_tokens_details": {"reasoning_tokens": 9}}',
  infinite: '{"prompt_tokens": 1e400, "completion_tokens": -5, "total_tokens": 1e400, "prompt_tokens_details": {"cached_tokens": 1e400}}',
  fine: '{"prompt_tokens": 11, "completion_tokens": 4, "total_tokens": 15}',
};

function startUpstream() {
  return Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    async fetch(req) {
      const body = (await req.json()) as { model: string; messages: Array<{ content: string }> };
      const usage = USAGES[body.messages[0]!.content] ?? USAGES.fine!;
      return new Response(`{"id":"chatcmpl-x","object":"chat.completion","created":1700000000,"model":"${body.model}",`
        + `"choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":"ok"}}],"usage":${usage}}`,
      { headers: { 'content-type': 'application/json' } });
    },
  });
}

describe('usage an upstream reports out of any column\'s range', () => {
  let upstream: ReturnType<typeof startUpstream>;
  let g: TestGateway;
  let s: Seeded;
  beforeAll(async () => {
    upstream = startUpstream();
    g = await startTestGateway('postgres');
    s = await seed(g, `http://127.0.0.1:${upstream.port}`);
  }, 60_000);
  afterAll(async () => { await g?.close(); upstream?.stop(true); });

  const call = async (content: string) => {
    const res = await fetch(`${g.url}/v1/chat/completions`, {
      method: 'POST', headers: { authorization: `Bearer ${s.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ content, role: 'user' }] }),
    });
    expect(res.status).toBe(200);
    await res.text();
    return res.headers.get('x-request-id')!;
  };

  test('is billed and logged in whole counts within int4, and the calls around it are logged too', async () => {
    // The huge one last: it costs more than the balance, and the key is refused after it.
    const ids = { fractional: await call('fractional'), infinite: await call('infinite'), fine: await call('fine'), huge: await call('huge') };
    await g.flush();
    expect(g.gw.writer.failingFrom).toBeNull();
    const rows = await g.gw.db.db.selectFrom('call_logs').select(['request_id', 'prompt_tokens', 'completion_tokens', 'cached_tokens', 'reasoning_tokens', 'cost'])
      .where('request_id', 'in', Object.values(ids)).execute();
    const by = Object.fromEntries(rows.map((r) => [r.request_id, [r.prompt_tokens, r.completion_tokens, r.cached_tokens, r.reasoning_tokens]]));
    expect(by[ids.huge]).toEqual([2_147_483_647, 2_147_483_647, 0, 0]);
    expect(by[ids.fractional]).toEqual([12, 3, 0, 3]);
    expect(by[ids.infinite]).toEqual([0, 0, 0, 0]);
    expect(by[ids.fine]).toEqual([11, 4, 0, 0]);
    // Charged as logged: Σ cost of the rows is what the user's balance lost.
    const user = await g.admin.users.get.query({ id: s.userId });
    const spent = 10_000_000_000n - BigInt(user.balance);
    expect(rows.reduce((a, r) => a + BigInt(r.cost), 0n)).toBe(spent);
  });
});
