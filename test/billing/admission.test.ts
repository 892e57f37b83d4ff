// Issue 19, money rows, on real Postgres: the reservation covers every choice (`n`), so 100
// concurrent `n: 128` calls cannot overspend a $0.02 balance; balance and budget are checked
// before rate limits are consumed; TPM admission counts the requested max_tokens; bills and
// the ledger count only billed calls.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { GREEDY_PROMPT_TOKENS as PROMPT, startGreedyUpstream } from '../mocks/greedy-openai.ts';

const MODEL = 'adm-model';
/** $0.15/M input, $0.60/M output (nano-USD per token: 150 and 600). */
const IN_NANO = 150n;
const OUT_NANO = 600n;

describe('admission, reservations and counts on postgres', () => {
  let g: TestGateway;
  let upstream: ReturnType<typeof startGreedyUpstream>;

  beforeAll(async () => {
    upstream = startGreedyUpstream();
    g = await startTestGateway('postgres');
    await g.admin.channels.create.mutate({ name: 'greedy', type: 1, baseUrl: `http://127.0.0.1:${upstream.port}`, key: 'sk-greedy', models: [MODEL] });
    await g.admin.prices.set.mutate({ model: MODEL, inputUsdPerM: '0.15', outputUsdPerM: '0.6' });
  }, 60_000);
  afterAll(async () => {
    await g?.close();
    upstream?.stop(true);
  });

  async function user(balanceUsd: string, limits: { rpm?: number; tpm?: number } = {}) {
    const username = `adm${Math.random().toString(36).slice(2, 8)}`;
    const { id: userId } = await g.admin.users.create.mutate({ username, balanceUsd });
    const { key } = await g.admin.keys.create.mutate({ name: 'adm', user: username, ...limits });
    return { userId, key };
  }

  const chat = (key: string, body: Record<string, unknown>) => fetch(`${g.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'hi' }], ...body }),
  });

  test('n: 128, max_tokens: 60 from a $0.02 user, 100 at a time: the balance never goes below zero', async () => {
    const { userId, key } = await user('0.02');
    const res = await Promise.all(Array.from({ length: 100 }, () => chat(key, { n: 128, max_tokens: 60 })));
    const ok = res.filter((r) => r.status === 200).length;
    const refused = res.filter((r) => r.status === 403).length;
    await Promise.all(res.map((r) => r.arrayBuffer()));
    await g.flush();
    const { balance } = await g.gw.db.db.selectFrom('users').select('balance').where('id', '=', userId).executeTakeFirstOrThrow();
    // One call's maximum: 128 × 60 output tokens plus the prompt.
    const oneCall = 128n * 60n * OUT_NANO + BigInt(PROMPT) * IN_NANO;
    const spent = 20_000_000n - balance;
    console.log(`[admission] n:128 ×100: ${ok} served, ${refused} refused; balance $${(Number(balance) / 1e9).toFixed(6)}; one call costs $${(Number(oneCall) / 1e9).toFixed(6)}`);
    expect(ok + refused).toBe(100);
    expect(ok).toBeGreaterThanOrEqual(1);
    expect(balance).toBeGreaterThanOrEqual(0n);
    expect(spent).toBe(BigInt(ok) * oneCall);
    // Out of range n is the client's error, in OpenAI's shape.
    const bad = await chat(key, { n: 129 });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toContain('n must be at most 128');
  }, 60_000);

  test('TPM 1,000 with max_tokens given: at most 1,000 tokens served in the window', async () => {
    const { userId, key } = await user('10', { tpm: 1000 });
    const res = await Promise.all(Array.from({ length: 20 }, () => chat(key, { max_tokens: 100 })));
    await Promise.all(res.map((r) => r.arrayBuffer()));
    await g.flush();
    const logs = await g.gw.db.db.selectFrom('call_logs').select(['status', 'prompt_tokens', 'completion_tokens']).where('user_id', '=', userId).execute();
    const served = logs.filter((l) => l.status === 200).reduce((s, l) => s + l.prompt_tokens + l.completion_tokens, 0);
    console.log(`[admission] TPM 1000, max_tokens 100 ×20: ${logs.filter((l) => l.status === 200).length} served, ${served} tokens`);
    expect(served).toBeLessThanOrEqual(1000);
    expect(served).toBeGreaterThan(500);
    expect(res.filter((r) => r.status === 429).length).toBeGreaterThan(0);
  }, 60_000);

  test('a call refused for balance does not consume RPM: after a top-up the next calls pass', async () => {
    const { userId, key } = await user('0', { rpm: 2 });
    for (let i = 0; i < 4; i++) {
      const r = await chat(key, { max_tokens: 10 });
      expect(r.status).toBe(403);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe('insufficient_quota');
    }
    await g.admin.billing.credit.mutate({ userId, amountUsd: '1', reason: 'top-up' });
    const after = [await chat(key, { max_tokens: 10 }), await chat(key, { max_tokens: 10 })];
    expect(after.map((r) => r.status)).toEqual([200, 200]);
    await Promise.all(after.map((r) => r.arrayBuffer()));
    // The limit still holds for calls it admits.
    const third = await chat(key, { max_tokens: 10 });
    expect(third.status).toBe(429);
    await third.arrayBuffer();
  }, 60_000);

  test('bills for 99 billed calls out of 500: calls 99, and the ledger counts 99', async () => {
    const { userId, key } = await user('10');
    const statuses: number[] = [];
    for (let i = 0; i < 500; i += 50) {
      const batch = await Promise.all(Array.from({ length: 50 }, (_, j) => {
        const n = i + j;
        if (n < 99) return chat(key, { max_tokens: 5 });
        // Refused before any upstream: unknown model (404), bad body (400).
        if (n % 2) return chat(key, { model: 'no-such-model' });
        return chat(key, { messages: [] });
      }));
      for (const r of batch) {
        statuses.push(r.status);
        await r.arrayBuffer();
      }
    }
    expect(statuses.filter((s) => s === 200).length).toBe(99);
    await g.flush();
    const logged = await g.gw.db.db.selectFrom('call_logs').select((eb) => eb.fn.countAll<string>().as('n')).where('user_id', '=', userId).executeTakeFirstOrThrow();
    expect(Number(logged.n)).toBe(500);
    const from = new Date(Date.now() - 3_600_000);
    const to = new Date(Date.now() + 60_000);
    for (const by of ['model', 'day', 'key'] as const) {
      const bill = await g.admin.billing.bills.query({ from, to, by, userId });
      expect(bill.total.calls).toBe(99);
    }
    const ledger = await g.admin.billing.ledger.query({ userId, kind: 'usage', limit: 1000 });
    const ledgerCalls = ledger.reduce((s, r) => s + (r.calls ?? 0), 0);
    console.log(`[admission] 500 calls, 99 billed: bills.calls 99, ledger usage calls ${ledgerCalls}`);
    expect(ledgerCalls).toBe(99);
  }, 60_000);
});
