// `bun run bench:logs`: seed a fresh Postgres database with BENCH_LOG_ROWS call logs (10M by
// default) over 30 days with generate_series, then time every log filter, keyset pages deep
// in the range, a detail lookup and the rollup dashboards through the same code the admin
// API runs. Prints a Markdown table (median and worst of 5 warm runs, and the first run).
//   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres BENCH_LOG_ROWS=10000000 bun run bench:logs
// The database is dropped at the end unless BENCH_KEEP=1; BENCH_DB=<name> re-runs the queries on a kept one.
import { sql } from 'kysely';
import postgres from 'postgres';
import { connect, migrate } from '../db/connect.ts';
import { usageStats } from '../server/admin/stats.ts';
import { DAY_MS, dayStart, ensurePartitions } from '../server/logs/partitions.ts';
import { type LogPageInput, listLogs } from '../server/logs/query.ts';

const serverUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const ROWS = Number(process.env.BENCH_LOG_ROWS ?? 10_000_000);
const DAYS = 30;
const reuse = process.env.BENCH_DB;
const name = reuse ?? `sb_bench_logs_${Date.now().toString(36)}`;

const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
if (!reuse) await admin.unsafe(`CREATE DATABASE ${name}`);
const url = new URL(serverUrl);
url.pathname = `/${name}`;
const { db, close } = await connect({ databaseUrl: url.toString(), dataDir: '/tmp/unused', poolSize: 4 });
const log = (msg: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${msg}`);

const today = dayStart(Date.now());
const first = today - (DAYS - 1) * DAY_MS;

async function load() {
  await migrate(db);
  for (const t of ['call_logs', 'call_bodies'] as const) await ensurePartitions(db, t, first, today + DAY_MS);

  // Bulk load the way a restore would: the indexes are dropped, the rows inserted day by day
  // (the rollup trigger runs per statement), then the very same index definitions rebuilt.
  const defs = await sql<{ name: string; def: string; constraint: string | null }>`
    SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS def, pg_get_constraintdef(con.oid) AS "constraint"
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid
    WHERE i.indrelid = 'call_logs'::regclass`.execute(db);
  for (const d of defs.rows) await sql.raw(d.constraint ? `ALTER TABLE call_logs DROP CONSTRAINT ${d.name}` : `DROP INDEX ${d.name}`).execute(db);

  const perDay = Math.ceil(ROWS / DAYS);
  const t0 = performance.now();
  for (let day = 0; day < DAYS; day++) {
    const start = first + day * DAY_MS;
    const offset = day * perDay;
    const n = Math.min(perDay, ROWS - offset);
    if (n <= 0) break;
    // Skewed like real traffic: 3000 keys (a few busy ones), each owned by one of 1000 users;
    // 24 models plus a rare one, each served by two of 40 channels; 40% streams; 5% 4xx, 2% 5xx.
    await sql`
      INSERT INTO call_logs (request_id, created_at, user_id, key_id, channel_id, attempts, endpoint, model, upstream_model, stream, status,
        error_type, error_message, prompt_tokens, completion_tokens, cached_tokens, reasoning_tokens, cost, latency_ms, ttft_ms, overhead_us,
        client_ip, user_agent)
      SELECT 'req_b' || g.n, ${new Date(start)}::timestamptz + (g.i * ${Math.floor(DAY_MS / n)}::int8) * interval '1 millisecond',
        1 + (g.k * 7) % 1000, g.k, g.ch, jsonb_build_array(jsonb_build_object('channel_id', g.ch, 'status', g.st, 'ms', 100)),
        'chat/completions', g.model, g.model, g.h % 5 < 2, g.st,
        CASE WHEN g.st >= 400 THEN 'upstream_error' END,
        CASE WHEN g.st = 429 THEN 'Rate limit reached for requests (request ' || g.n || ')'
             WHEN g.st = 400 THEN 'Invalid request: messages[0].content must not be empty'
             WHEN g.st >= 500 THEN 'Upstream overloaded, please retry (request ' || g.n || ')' END,
        100 + g.h % 2000, g.h % 800, g.h % 300, g.h % 50, (g.h % 100000) * 10, 200 + g.h % 9000, 150 + g.h % 800, 100 + g.h % 900,
        '10.0.' || (g.h % 250) || '.' || (g.h % 200), 'bench-agent/1.0'
      FROM (
        SELECT x.*, CASE WHEN x.h % 1000 = 7 THEN 'model-rare' ELSE 'model-' || x.mi END AS model, 1 + (x.mi * 3 + x.h % 2) % 40 AS ch,
          CASE WHEN x.h % 200 < 3 THEN 502 WHEN x.h % 200 = 3 THEN 503 WHEN x.h % 100 < 8 AND x.h % 100 >= 4 THEN 429 WHEN x.h % 100 = 9 THEN 400 ELSE 200 END AS st
        FROM (
          SELECT s.i, ${offset}::int8 + s.i AS n, h.h,
            1 + floor(3000 * power((h.h % 1000003) / 1000003.0, 3))::int AS k,
            floor(24 * power(((h.h / 1000003) % 1000) / 1000.0, 2))::int AS mi
          FROM generate_series(0, ${n - 1}::int) AS s(i), LATERAL (SELECT hashint8(${offset}::int8 + s.i)::int8 & 2147483647 AS h) h
        ) x
      ) g`.execute(db);
    log(`day ${day + 1}/${DAYS}: ${(offset + n).toLocaleString()} rows`);
  }
  const loadS = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  // pg_get_indexdef says `ON ONLY` for a partitioned parent; without ONLY it builds every partition's index.
  for (const d of defs.rows) await sql.raw(d.constraint ? `ALTER TABLE call_logs ADD CONSTRAINT ${d.name} ${d.constraint}` : d.def.replace(' ON ONLY ', ' ON ')).execute(db);
  await sql`ANALYZE call_logs`.execute(db);
  await sql`ANALYZE usage_hourly`.execute(db);
  const indexS = (performance.now() - t1) / 1000;
  const size = await sql<{ rows: string; bytes: string; rollups: string }>`
    SELECT (SELECT count(*) FROM call_logs)::text AS rows, (SELECT count(*) FROM usage_hourly)::text AS rollups,
      (SELECT pg_size_pretty(sum(pg_total_relation_size(inhrelid))) FROM pg_inherits WHERE inhparent = 'call_logs'::regclass) AS bytes`.execute(db);
  const sz = size.rows[0]!;
  log(`loaded ${Number(sz.rows).toLocaleString()} rows in ${loadS.toFixed(0)} s, indexes in ${indexS.toFixed(0)} s; ${sz.bytes} with indexes; ${Number(sz.rollups).toLocaleString()} rollup rows`);
}

try {
  if (!reuse) await load();

  // Cursors deep in the range: the keyset position of a row 20 days back.
  const deep = await sql<{ at: string; id: string }>`
    SELECT (extract(epoch from created_at) * 1000000)::int8::text AS at, id::text FROM call_logs
    WHERE created_at < ${new Date(today - 20 * DAY_MS)} ORDER BY created_at DESC, id DESC LIMIT 1`.execute(db);
  const deepCursor = `${deep.rows[0]!.at}.${deep.rows[0]!.id}`;
  const someId = deep.rows[0]!.id;
  const lastDay = { from: new Date(Date.now() - DAY_MS), to: new Date() };
  const week = { from: new Date(Date.now() - 7 * DAY_MS), to: new Date() };
  const oldDay = { from: new Date(today - 10 * DAY_MS), to: new Date(today - 9 * DAY_MS) };

  const cases: Array<[string, () => Promise<unknown>]> = [];
  const page = (label: string, input: Partial<LogPageInput>, owner: number | null = null) =>
    cases.push([label, () => listLogs(db, { limit: 50, ...input }, owner)]);
  page('latest page, no filter', {});
  page('time range: last 24 h', lastDay);
  page('time range: one day, 10 days back', oldDay);
  page('model (common)', { model: 'model-3' });
  page('model (rare, 0.1%)', { model: 'model-rare' });
  page('key (busy)', { keyId: 1 });
  page('key (quiet)', { keyId: 2900 });
  page('user', { userId: 567 });
  page('channel', { channelId: 17 });
  page('status ok', { status: 'ok' });
  page('status 4xx', { status: '4xx' });
  page('status 5xx', { status: '5xx' });
  page('stream = true', { stream: true });
  page('stream = false', { stream: false });
  page('error text (common: "overloaded")', { q: 'overloaded' });
  page('error text (one row: "request 4242424)")', { q: 'request 4242424)' });
  page('request id', { requestId: 'req_b4242424' });
  page('model + 5xx + last 7 days', { model: 'model-3', status: '5xx', ...week });
  page('user + stream + last 7 days', { userId: 567, stream: true, ...week });
  page('key + 4xx + error text', { keyId: 1, status: '4xx', q: 'rate limit' });
  page('as a user principal (owner filter)', {}, 567);
  page('keyset page 20 days deep, no filter', { cursor: deepCursor });
  page('keyset page 20 days deep, model', { model: 'model-3', cursor: deepCursor });
  page('keyset page 20 days deep, user', { userId: 567, cursor: deepCursor });
  page('500 rows, time range one day', { ...oldDay, limit: 500 });
  cases.push(['log detail by id (no time hint)', () => db.selectFrom('call_logs').selectAll().where('id', '=', someId).execute()]);
  const month = { from: new Date(today - (DAYS - 1) * DAY_MS), to: new Date(today + DAY_MS) };
  cases.push(['stats: 30 days by model (rollups)', () => usageStats(db, { ...month, groupBy: 'model' }, null)]);
  cases.push(['stats: 30 days by day (rollups)', () => usageStats(db, { ...month, groupBy: 'day' }, null)]);
  cases.push(['stats: 30 days, one user by hour', () => usageStats(db, { ...month, groupBy: 'hour' }, 567)]);
  cases.push(['stats: 30 days, one key by day', () => usageStats(db, { ...month, groupBy: 'day', keyId: 2900 }, null)]);
  cases.push(['stats: 7 days by user (per-account rollups)', () => usageStats(db, { ...week, groupBy: 'user' }, null)]);
  cases.push(['stats: 24 h by channel', () => usageStats(db, { ...lastDay, groupBy: 'channel' }, null)]);

  const lines = ['| query | first run (ms) | median of 5 (ms) | worst of 5 (ms) |', '| --- | ---: | ---: | ---: |'];
  for (const [label, run] of cases) {
    const times: number[] = [];
    for (let i = 0; i < 6; i++) {
      const t = performance.now();
      await run();
      times.push(performance.now() - t);
    }
    const [cold, ...warm] = times;
    warm.sort((a, b) => a - b);
    lines.push(`| ${label} | ${cold!.toFixed(1)} | ${warm[2]!.toFixed(1)} | ${warm[4]!.toFixed(1)} |`);
  }
  console.log(`\n${ROWS.toLocaleString()} call logs over ${DAYS} days, PostgreSQL ${(await sql<{ server_version: string }>`SHOW server_version`.execute(db)).rows[0]!.server_version}\n`);
  console.log(lines.join('\n'));
} finally {
  await close();
  if (!reuse && process.env.BENCH_KEEP !== '1') await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  else console.log(`kept database ${name} (BENCH_DB=${name} bun run bench:logs re-runs the queries)`);
  await admin.end();
}
