// Deterministic call-log rows for the log tests, inserted the way the writer does
// (json_populate_recordset), so the expected answer of any filter is computed in JS.
import { sql } from 'kysely';
import type { CallLog } from '../../db/schema.ts';
import type { TestGateway } from '../helpers/gateway.ts';

export interface FixtureOpts {
  count: number;
  users: number[];
  /** Newest row's time; rows go back one minute per three rows (triples share a timestamp). */
  newest?: number;
}

export function fixtureRows(o: FixtureOpts) {
  const newest = Math.floor((o.newest ?? Date.now() - 60_000) / 1000) * 1000;
  return Array.from({ length: o.count }, (_, k) => {
    const i = k + 1;
    const status = i % 50 === 0 ? 503 : i % 20 === 0 ? 429 : i % 33 === 0 ? 400 : 200;
    const error = status === 503 ? `Upstream overloaded (attempt ${i})` : status === 429 ? 'Rate limited: 100% of quota used' : status === 400 ? 'bad_request: messages must not be empty' : null;
    return {
      request_id: `req_fx_${i}`,
      created_at: new Date(newest - Math.floor(i / 3) * 60_000),
      user_id: o.users[i % o.users.length]!,
      key_id: 10 + (i % 5),
      channel_id: 100 + (i % 4),
      attempts: [{ channel_id: 100 + (i % 4), status, ms: 5 }],
      endpoint: 'chat/completions',
      model: `m-${(i % 7) % 3}`,
      upstream_model: `m-${(i % 7) % 3}`,
      stream: i % 2 === 0,
      status,
      error_type: error ? 'upstream_error' : null,
      error_message: error,
      prompt_tokens: 10 + (i % 13),
      completion_tokens: i % 17,
      cached_tokens: i % 3,
      cache_write_tokens: 0,
      reasoning_tokens: i % 2,
      cost: BigInt(i * 1000),
      latency_ms: (i * 37) % 5000,
      ttft_ms: null,
      overhead_us: 100 + (i % 50),
      client_ip: '127.0.0.1',
      user_agent: i % 11 === 0 ? '=cmd|" /C calc"!A0' : 'fixture-agent/1.0',
      estimated: false,
    };
  });
}

export type FixtureRow = ReturnType<typeof fixtureRows>[number] & { id: string };

export async function insertFixtures(g: TestGateway, o: FixtureOpts): Promise<FixtureRow[]> {
  const rows = fixtureRows(o);
  const json = JSON.stringify(rows, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
  const cols = sql.raw(Object.keys(rows[0]!).join(', '));
  const ids = await sql<{ id: string; request_id: string }>`
    INSERT INTO call_logs (${cols}) SELECT ${cols} FROM json_populate_recordset(NULL::call_logs, ${json}::text::json)
    RETURNING id::text, request_id`.execute(g.gw.db.db);
  const byReq = new Map(ids.rows.map((r) => [r.request_id, r.id]));
  return rows.map((r) => ({ ...r, id: byReq.get(r.request_id)! }));
}

/** Newest first, the order every page uses. */
export function newestFirst<T extends { created_at: Date; id: string }>(rows: T[]): T[] {
  return [...rows].sort((a, b) => b.created_at.getTime() - a.created_at.getTime() || Number(BigInt(b.id) - BigInt(a.id)));
}

/** Every row of a filter, page by page. */
export async function allPages(list: (cursor: string | undefined) => Promise<{ rows: CallLog[]; nextCursor: string | null }>): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  for (;;) {
    const page = await list(cursor);
    pages++;
    ids.push(...page.rows.map((r) => String(r.id)));
    if (!page.nextCursor) return { ids, pages };
    cursor = page.nextCursor;
  }
}

/** `count` plain rows generated in SQL, one every `stepMs` back from `newest` (for volume tests). */
export async function insertSeries(g: TestGateway, count: number, newest: number, stepMs: number, userId: number | null = null): Promise<void> {
  await sql`
    INSERT INTO call_logs (request_id, created_at, user_id, key_id, channel_id, endpoint, model, stream, status,
      prompt_tokens, completion_tokens, cost, latency_ms, user_agent, error_message)
    SELECT 'req_series_' || ${newest}::text || '_' || n, to_timestamp(${newest / 1000}::float8) - n * (${stepMs}::int8 * interval '1 millisecond'),
      ${userId}::int, 10 + n % 5, 100 + n % 4, 'chat/completions', 'm-' || n % 3, n % 2 = 0, CASE WHEN n % 40 = 0 THEN 502 ELSE 200 END,
      20, 10, n * 10, n % 3000, 'series-agent, "quoted"', CASE WHEN n % 40 = 0 THEN 'upstream said:' || E'\n' || 'no, "really"' END
    FROM generate_series(1, ${count}::int) AS n`.execute(g.gw.db.db);
}
