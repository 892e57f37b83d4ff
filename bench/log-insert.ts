// `bun run bench:insert`: what one call-log row costs, in isolation, two ways: the writer's
// own statement (rows as one jsonb array expanded by Postgres, server/logs/writer.ts) and
// COPY FROM STDIN with the rows escaped to text in JS. For each: Postgres CPU per row (from
// /proc) and the gateway-side JS time per row to encode the batch. Fresh, migrated database.
//   BENCH_ROWS=1000 BENCH_BATCHES=40 bun run bench:insert
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, migrate } from '../db/connect.ts';
import type { NewCallLog } from '../db/schema.ts';
import { encodeLog, LOG_KEYS } from '../server/logs/call-record.ts';
import { insertStatement } from '../server/logs/writer.ts';
import { cpuSecondsOf, freshDatabase } from './kit.ts';

const ROWS = Number(process.env.BENCH_ROWS ?? 1000);
const BATCHES = Number(process.env.BENCH_BATCHES ?? 40);

let seq = 0;
/** A row like the benchmark's calls: one successful attempt, usage, cost, no error. */
function row(): NewCallLog {
  return {
    request_id: `req_${Date.now().toString(36)}bnch${(seq++).toString(36).padStart(6, '0')}`, created_at: new Date(),
    user_id: 1, key_id: 1, channel_id: 1, attempts: [{ channel_id: 1, key_id: 1, status: 200, ms: 3 }],
    endpoint: 'chat/completions', model: 'gpt-4o-mini', upstream_model: 'gpt-4o-mini', stream: false, status: 200,
    error_type: null, error_message: null, prompt_tokens: 12, completion_tokens: 2, cached_tokens: 0, cache_write_tokens: 0,
    reasoning_tokens: 0, cost: 3000n, latency_ms: 3, ttft_ms: 3, overhead_us: 180, client_ip: '127.0.0.1', user_agent: 'wrk', estimated: false,
  };
}

/** COPY text format: tab-separated, \N for null, backslash escapes. */
const escapeCopy = (v: unknown): string => {
  if (v === null || v === undefined) return '\\N';
  const s = v instanceof Date ? v.toISOString() : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[\\\t\n\r]/.test(s) ? s.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r')) : s;
};

async function main() {
  const target = await freshDatabase();
  const { db } = await connect({ databaseUrl: target.url, dataDir: mkdtempSync(join(tmpdir(), 'sb-insert-')) });
  await migrate(db);
  const sql = target.sql;
  const results: string[] = [];
  const measure = async (name: string, encode: (rows: NewCallLog[]) => unknown, insert: (encoded: unknown) => Promise<unknown>) => {
    await insert(encode(Array.from({ length: ROWS }, row))); // warm-up
    let js = 0;
    const pg0 = cpuSecondsOf('postgres');
    for (let b = 0; b < BATCHES; b++) {
      const rows = Array.from({ length: ROWS }, row);
      const t0 = performance.now();
      const encoded = encode(rows);
      js += performance.now() - t0;
      await insert(encoded);
    }
    const pgUs = ((cpuSecondsOf('postgres') - pg0) / (ROWS * BATCHES)) * 1e6;
    const jsUs = (js * 1000) / (ROWS * BATCHES);
    results.push(`${name.padEnd(44)} Postgres ${pgUs.toFixed(1).padStart(5)} µs/row   JS encode ${jsUs.toFixed(2).padStart(5)} µs/row   sum ${(pgUs + jsUs).toFixed(1)}`);
  };
  try {
    for (let round = 0; round < 2; round++) {
      await measure('writer: jsonb array, INSERT … ON CONFLICT', (rows) => rows.map((r) => ({ json: encodeLog(r) })),
        (batch) => db.transaction().execute((tx) => insertStatement(batch as Array<{ json: string }>).execute(tx)));
      await measure('COPY FROM STDIN, rows escaped in JS', (rows) => {
        let text = '';
        for (const r of rows) text += `${LOG_KEYS.map((k) => escapeCopy(r[k])).join('\t')}\n`;
        return text;
      }, (text) => sql.begin(async (tx) => {
        const w = await tx.unsafe(`COPY call_logs (${LOG_KEYS.join(', ')}) FROM STDIN`).writable();
        await new Promise<void>((resolve, reject) => { w.on('error', reject); w.on('finish', resolve); w.end(text as string); });
      }));
    }
    console.log(`\ncall_logs insert cost — ${new Date().toISOString()}, ${BATCHES} batches of ${ROWS} rows, all indexes and the rollup trigger on\n`);
    for (const r of results) console.log(r);
  } finally {
    await db.destroy();
    await target.drop();
  }
}

await main();
