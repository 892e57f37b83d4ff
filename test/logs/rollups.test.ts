// The log writer rolls up its own rows (server/logs/rollups.ts, migration 006): the hourly
// rollups must equal what the trigger would sum from call_logs, to the row, and a call
// committed before (a retried or replayed batch) must not be counted twice. Rows other
// writers insert with plain SQL still go through the trigger.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { sql } from 'kysely';
import type { NewCallLog } from '../../db/schema.ts';
import { histogramSql } from '../../server/logs/latency-histogram.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';

const HOUR = 3_600_000;
// Text Postgres cannot hold (NUL, a lone surrogate) and text that COPY's format and array
// literals must escape (tab, newline, CR, backslash, a literal \N, quotes, braces).
const ODD_TEXT = 'a\u0000b\ud800 "q" \\ {x,y} 😀\t\n\r\\N';
const ODD_STORED = 'ab\ufffd "q" \\ {x,y} 😀\t\n\r\\N';
const ODD_ATTEMPTS = [{ channel_id: 3, key_id: 1, status: 502, error: ODD_TEXT, ms: 1 }];
const ODD_ATTEMPTS_STORED = [{ channel_id: 3, key_id: 1, status: 502, error: ODD_STORED, ms: 1 }];

for (const kind of ['postgres', 'pglite'] as const) {
  describe(`writer rollups on ${kind}`, () => {
    let g: TestGateway;
    beforeAll(async () => { g = await startTestGateway(kind); }, 60_000);
    afterAll(() => g?.close());

    const base = Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR;
    const call = (i: number, ids = true) => ({
      userId: null, keyId: null, channelId: null, cost: BigInt(i * 1_000),
      log: {
        request_id: `req_roll_${kind}_${i}`, created_at: new Date(base + (i % 3) * HOUR + i * 997), user_id: i % 4 ? 1 : null,
        key_id: i % 5 ? 10 + (i % 2) : null, channel_id: i % 7 ? 3 : null, attempts: i % 20 === 5 ? ODD_ATTEMPTS : [], endpoint: 'chat/completions',
        model: ['m-a', 'm-b', 'm "q" \\ ,{}'][i % 3]!, upstream_model: null, stream: false,
        status: i % 9 === 0 ? 503 : i % 11 === 0 ? 429 : 200, error_type: null, error_message: i % 20 === 5 ? ODD_TEXT : null,
        prompt_tokens: i, completion_tokens: 2 * i, cached_tokens: i % 3, cache_write_tokens: i % 2, reasoning_tokens: i % 5,
        cost: BigInt(i * 1_000), latency_ms: (i * 733) % 70_000, ttft_ms: null, overhead_us: null, client_ip: i === 6 ? 'NULL' : null, user_agent: i % 20 === 5 ? ODD_TEXT : null, estimated: false,
      } satisfies NewCallLog,
      ids,
    });

    /** Each rollup table against the trigger's own sums over call_logs. */
    async function expectExact() {
      const sums = `count(*)::int8 AS calls, count(*) FILTER (WHERE status BETWEEN 400 AND 499) AS errors_4xx, count(*) FILTER (WHERE status >= 500) AS errors_5xx,
        sum(prompt_tokens)::int8 AS prompt_tokens, sum(completion_tokens)::int8 AS completion_tokens, sum(cached_tokens)::int8 AS cached_tokens,
        sum(cache_write_tokens)::int8 AS cache_write_tokens, sum(reasoning_tokens)::int8 AS reasoning_tokens, sum(cost)::int8 AS cost,
        sum(latency_ms)::int8 AS latency_ms_sum, ${histogramSql('latency_ms')} AS latency_hist`;
      const cols = 'calls, errors_4xx, errors_5xx, prompt_tokens, completion_tokens, cached_tokens, cache_write_tokens, reasoning_tokens, cost, latency_ms_sum, latency_hist';
      for (const [table, dims] of [['usage_hourly', 'model, coalesce(channel_id, 0) AS channel_id, coalesce(key_id, 0) AS key_id, coalesce(user_id, 0) AS user_id'], ['usage_hourly_models', 'model, coalesce(channel_id, 0) AS channel_id']] as const) {
        const keys = table === 'usage_hourly' ? 'hour, model, channel_id, key_id, user_id' : 'hour, model, channel_id';
        const want = await sql.raw(`SELECT date_trunc('hour', created_at, 'UTC') AS hour, ${dims}, ${sums} FROM call_logs
          WHERE request_id LIKE 'req_roll_${kind}_%' GROUP BY 1, 2, 3${table === 'usage_hourly' ? ', 4, 5' : ''} ORDER BY 1, 2, 3${table === 'usage_hourly' ? ', 4, 5' : ''}`).execute(g.gw.db.db);
        const got = await sql.raw(`SELECT ${keys}, ${cols} FROM ${table} ORDER BY ${keys}`).execute(g.gw.db.db);
        expect(JSON.stringify(got.rows.map((r) => Object.values(r as object)), (_k, v) => (typeof v === 'bigint' ? String(v) : v)))
          .toBe(JSON.stringify(want.rows.map((r) => Object.values(r as object)), (_k, v) => (typeof v === 'bigint' ? String(v) : v)));
      }
    }

    test('the rollups equal the rows, across hours, models, missing key/user/channel and latency buckets', async () => {
      for (let i = 1; i <= 120; i++) g.gw.writer.push(call(i));
      await g.flush();
      const [rollups] = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM usage_hourly`.execute(g.gw.db.db)).rows;
      expect(rollups!.n).toBeGreaterThan(10);
      await expectExact();
      // A first try goes by COPY: text as Postgres can hold it (no NUL, no lone surrogate),
      // escapes, quotes, braces and a 'NULL' string intact, in text and in jsonb.
      await expectOdd([5, 6]);
    });

    async function expectOdd(rows: number[]) {
      const odd = await g.gw.db.db.selectFrom('call_logs').select(['request_id', 'user_agent', 'client_ip', 'attempts', 'error_message'])
        .where('request_id', 'in', rows.map((i) => `req_roll_${kind}_${i}`)).orderBy('request_id').execute();
      expect(odd.map((r) => [r.user_agent, r.client_ip, r.attempts, r.error_message])).toEqual(rows.map((i) =>
        i % 20 === 5 ? [ODD_STORED, null, ODD_ATTEMPTS_STORED, ODD_STORED] : [null, i === 6 ? 'NULL' : null, [], null]));
    }

    test('calls committed before are not rolled up again (retry without and with RETURNING)', async () => {
      for (const wantIds of [false, true]) {
        g.gw.writer.wantIds = () => wantIds;
        for (let i = 100; i <= 140; i++) g.gw.writer.push(call(i));
        await g.flush();
        await expectExact();
      }
      g.gw.writer.wantIds = () => true;
      // 125 went in by the retry's INSERT … ON CONFLICT (typed arrays), 105 by COPY before.
      await expectOdd([105, 125]);
      const [n] = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM call_logs WHERE request_id LIKE ${`req_roll_${kind}_%`}`.execute(g.gw.db.db)).rows;
      expect(n!.n).toBe(140);
    });

    test('rows inserted with plain SQL still get their rollups from the trigger', async () => {
      await sql`INSERT INTO call_logs (request_id, created_at, user_id, key_id, channel_id, endpoint, model, status, prompt_tokens, cost, latency_ms)
        VALUES (${`req_roll_${kind}_sql`}, ${new Date(base)}, 1, 10, 3, 'chat/completions', 'm-a', 200, 5, 123, 40)`.execute(g.gw.db.db);
      await expectExact();
    });
  });
}
