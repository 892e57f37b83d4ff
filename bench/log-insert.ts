// `bun run bench:insert`: what one call-log row costs Postgres, in isolation: the log
// writer's statements per flush (server/logs/writer.ts) before and after migration 006
// (rollups summed in JS and upserted once per flush instead of by the trigger), the typed
// arrays of round 2 against the COPY a first try uses since round 4, the way to ship rows
// that did not pay (one jsonb array), and each index's share. Postgres
// CPU per row: the benchmark database's own backends (from /proc; the machine's other
// databases do not count), batches of every way interleaved. Fresh databases.

//   BENCH_ROWS=1000 BENCH_BATCHES=20 BENCH_INDEXES=1 bun run bench:insert
// (under `bun run bench`'s load a flush carries ~300 rows: BENCH_ROWS=300 is that case.)
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Kysely, sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import { connect } from '../db/connect.ts';
import { migrations } from '../db/migrations/index.ts';
import type { Database, NewCallLog } from '../db/schema.ts';
import { copyIn } from '../db/copy.ts';
import { encodeColumns, encodeCopyRows, encodeLog, LOG_COLUMNS, LOG_KEYS } from '../server/logs/call-record.ts';
import { ROLLUP_SETTING, rollupStatement } from '../server/logs/rollups.ts';
import { insertStatement } from '../server/logs/writer.ts';
import { freshDatabase } from './kit.ts';

const ROWS = Number(process.env.BENCH_ROWS ?? 1000);
const BATCHES = Number(process.env.BENCH_BATCHES ?? 20);
const INDEXES = process.env.BENCH_INDEXES === '1';

let seq = 0;
/** A row like the benchmark's calls: one successful attempt, usage, cost, no error. */
function row(): NewCallLog {
  return {
    request_id: `req_${Date.now().toString(36)}bnch${(seq++).toString(36).padStart(6, '0')}`, created_at: new Date(),
    user_id: 1, key_id: 1, channel_id: 1, attempts: [{ channel_id: 1, key_id: 1, status: 200, ms: 3 }],
    endpoint: 'chat/completions', model: 'gpt-4o-mini', upstream_model: 'gpt-4o-mini', stream: false, status: 200,
    error_type: null, error_message: null, prompt_tokens: 12, completion_tokens: 2, cached_tokens: 0, cache_write_tokens: 0,
    reasoning_tokens: 0, cost: 3000n, latency_ms: 3, ttft_ms: 3, overhead_us: 180, client_ip: '127.0.0.1', user_agent: 'wrk', estimated: false,
    unpriced: false, affinity: null, upstream_cost: null,
  };
}

/** Before 006 (and a way that did not pay since): the rows as one jsonb array of positional arrays, expanded by Postgres. */
const ROW_VALUES = sql.raw(LOG_COLUMNS.map(([, type], i) => (type === 'jsonb' ? `e->${i}` : type === 'text' ? `e->>${i}` : `(e->>${i})::${type}`)).join(', '));
function jsonbStatement(batch: Array<{ json: string }>, skipLogged: boolean) {
  const rows = `[${batch.map((r) => r.json).join(',')}]`;
  return sql`INSERT INTO call_logs (${sql.raw(LOG_KEYS.join(', '))}) SELECT ${ROW_VALUES} FROM jsonb_array_elements(${rows}::text::jsonb) e
    ${skipLogged ? sql`ON CONFLICT (request_id, created_at) DO NOTHING` : sql``}`;
}

const cpuOf = (pids: number[]) => pids.reduce((t, p) => {
  try {
    const f = readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return t + (Number(f[11]) + Number(f[12])) / 100;
  } catch { return t; }
}, 0);

async function database(without: string[] = []) {
  const target = await freshDatabase();
  const { db } = await connect({ databaseUrl: target.url, dataDir: mkdtempSync(join(tmpdir(), 'sb-insert-')) });
  const chosen = Object.fromEntries(Object.entries(migrations).filter(([name]) => !without.includes(name)));
  const { error } = await new Migrator({ db, provider: { getMigrations: async () => chosen }, allowUnorderedMigrations: true }).migrateToLatest();
  if (error) throw error;
  const name = new URL(target.url).pathname.slice(1);
  const backends = async () => (await sql<{ pid: number }>`SELECT pid FROM pg_stat_activity WHERE datname = ${name}`.execute(db)).rows.map((r) => r.pid);
  return { db, target, backends, async drop() { await db.destroy(); await target.drop(); } };
}

type Db = Awaited<ReturnType<typeof database>>;
interface Way { name: string; d: Db; encode: (rows: NewCallLog[]) => unknown; insert: (encoded: unknown) => Promise<unknown>; pg: number; js: number }
const way = (name: string, d: Db, encode: Way['encode'], insert: Way['insert']): Way => ({ name, d, encode, insert, pg: 0, js: 0 });

/** Batches of every way interleaved (the machine is shared: load that comes and goes hits each alike); Postgres CPU per row of each. */
async function measure(ways: Way[]): Promise<void> {
  for (const w of ways) await w.insert(w.encode(Array.from({ length: ROWS }, row))); // warm-up
  const pids = new Map<Way, number[]>();
  for (const w of ways) pids.set(w, await w.d.backends());
  for (let b = 0; b < BATCHES; b++) {
    for (const w of ways) {
      const rows = Array.from({ length: ROWS }, row);
      const t0 = performance.now();
      const encoded = w.encode(rows);
      w.js += performance.now() - t0;
      const c0 = cpuOf(pids.get(w)!);
      await w.insert(encoded);
      w.pg += cpuOf(pids.get(w)!) - c0;
    }
  }
}
const report = (w: Way) => `${w.name.padEnd(60)} Postgres ${((w.pg / (ROWS * BATCHES)) * 1e6).toFixed(1).padStart(5)} µs/row   JS encode ${((w.js * 1000) / (ROWS * BATCHES)).toFixed(2).padStart(5)} µs/row`;
const perRow = (w: Way) => (w.pg / (ROWS * BATCHES)) * 1e6;

const jsonRows = (rows: NewCallLog[]) => rows.map((r) => ({ log: r, json: encodeLog(r) }));
type JsonRows = ReturnType<typeof jsonRows>;
/** The writer's JS per row since 006: the journal's JSON (at push) and the column arrays (at flush; built again inside the timed insert, outside this figure). */
const writerRows = (rows: NewCallLog[]) => { encodeColumns(rows); return jsonRows(rows); };
/** What the writer runs per flush since 006 (without the money settlement, which is unchanged). */
const writerFlush = (db: Kysely<Database>, skipLogged = false, jsonb = false) => (batch: unknown) =>
  db.transaction().execute(async (tx) => {
    await sql`SELECT set_config(${ROLLUP_SETTING}, 'writer', true)`.execute(tx);
    await (jsonb ? jsonbStatement(batch as JsonRows, skipLogged) : insertStatement(batch as JsonRows, skipLogged)).execute(tx);
    await rollupStatement((batch as JsonRows).map((r) => r.log))!.execute(tx);
  });

async function main() {
  const dbs: Db[] = [];
  const open = async (without: string[] = []) => { const d = await database(without); dbs.push(d); return d; };
  try {
    const before = await open(['006_log_rollups_in_writer']);
    const after = await open();
    const replay = await open();
    const jsonb = await open();
    const copy = await open();
    const noTrigger = await open();
    await sql`DROP TRIGGER call_logs_rollup ON call_logs`.execute(noTrigger.db);
    const ways = [
      way('before: jsonb array, ON CONFLICT, rollup trigger', before, jsonRows, (batch) => before.db.transaction().execute((tx) => jsonbStatement(batch as JsonRows, true).execute(tx))),
      way('round 2: unnest typed arrays, plain INSERT, rollup upsert', after, writerRows, writerFlush(after.db)),
      way('writer retries and replays: the same with ON CONFLICT', replay, writerRows, writerFlush(replay.db, true)),
      way('after, rows as one jsonb array (plain INSERT)', jsonb, jsonRows, writerFlush(jsonb.db, false, true)),
      way('writer since round 4: COPY FROM STDIN (first tries)', copy, (rows) => ({ rows, text: encodeCopyRows(rows) }),
        (b) => copy.db.transaction().execute(async (tx) => {
          const { rows, text } = b as { rows: NewCallLog[]; text: string };
          await sql`SELECT set_config(${ROLLUP_SETTING}, 'writer', true)`.execute(tx);
          await tx.executeQuery(copyIn('call_logs', LOG_KEYS, text));
          await rollupStatement(rows)!.execute(tx);
        })),
      way('after, trigger dropped (no transition table kept)', noTrigger, writerRows, writerFlush(noTrigger.db)),
    ];
    await measure(ways);
    console.log(`\ncall_logs insert cost — ${new Date().toISOString()}, ${BATCHES} batches of ${ROWS} rows per way, interleaved\n`);
    for (const w of ways) console.log(report(w));
    if (INDEXES) {
      // Each index against the full set, on two databases written alike but for that index.
      console.log('\nper index (writer path since 006): Postgres µs/row with all indexes − without it');
      const defs = await sql<{ name: string; def: string }>`SELECT c.relname AS name, pg_get_indexdef(c.oid) AS def FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        WHERE i.indrelid = 'call_logs'::regclass AND NOT i.indisunique ORDER BY 1`.execute(after.db);
      const variants: Array<[string, string]> = [...defs.rows.map((d) => [`without ${d.name}`, `DROP INDEX ${d.name}`] as [string, string]),
        ['plus BRIN (created_at)', 'CREATE INDEX call_logs_created_brin ON call_logs USING brin (created_at)']];
      for (const [name, ddl] of variants) {
        const all = await open();
        const one = await open();
        await sql.raw(ddl).execute(one.db);
        const pair = [way('all indexes', all, writerRows, writerFlush(all.db)), way(name, one, writerRows, writerFlush(one.db))];
        await measure(pair);
        console.log(`${name.padEnd(40)} ${(perRow(pair[0]!) - perRow(pair[1]!)).toFixed(1).padStart(5)} µs/row   (all ${perRow(pair[0]!).toFixed(1)}, ${name} ${perRow(pair[1]!).toFixed(1)})`);
        for (const d of dbs.splice(-2)) await d.drop();
      }
    }
  } finally {
    for (const d of dbs) await d.drop();
  }
}

await main();
