// Moving a PGlite database (DATA_DIR/pg, the embedded default before the PostgreSQL server)
// into the embedded PostgreSQL server (DATA_DIR/pg18), once, at start-up. Both sides are
// brought to the latest migration first, so they hold the same tables; then every table
// (each daily partition on its own) is copied with COPY in PostgreSQL's text format, which
// round-trips every value exactly (int8 money, jsonb, bytea, timestamps), in ONE
// transaction with triggers and foreign-key checks off (the rows are consistent already;
// rollup triggers must not count them twice). Sequences follow, and the row counts of the
// two sides are compared before the commit. Until the move has committed and DATA_DIR/pg has
// been renamed to DATA_DIR/pg.moved, the marker DATA_DIR/pg-move.pending stays: a start
// interrupted anywhere in between (kill -9, power loss) simply moves again from the start.
import { existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kysely } from 'kysely';
import postgres from 'postgres';
import { connect, migrate } from './connect.ts';
import { PGliteDialect } from './pglite-dialect.ts';
import type { Database } from './schema.ts';

export const pgliteDir = (dataDir: string) => join(dataDir, 'pg');
export const movedPgliteDir = (dataDir: string) => join(dataDir, 'pg.moved');
const markerFile = (dataDir: string) => join(dataDir, 'pg-move.pending');

/** A PGlite database is there to be moved (never moved, or a move that did not finish). */
export function pgliteMovePending(dataDir: string, serverDirExists: boolean): boolean {
  if (!existsSync(join(pgliteDir(dataDir), 'PG_VERSION'))) return false;
  return !serverDirExists || existsSync(markerFile(dataDir));
}

/** Called before the server's cluster is created: from here on a failed start moves again. */
export function beginPgliteMove(dataDir: string): void {
  writeFileSync(markerFile(dataDir), `moving DATA_DIR/pg (PGlite) into DATA_DIR/pg18 since ${new Date().toISOString()}\n`, { mode: 0o600 });
}

/** The move failed and the gateway stays on PGlite: forget the half-made server cluster. */
export function abandonPgliteMove(dataDir: string, serverDir: string): void {
  rmSync(serverDir, { recursive: true, force: true });
  rmSync(markerFile(dataDir), { force: true });
}

export interface MoveReport { tables: number; rows: number; ms: number }

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

interface Table { name: string; parent: string | null; bound: string | null; columns: string[] }

/**
 * Copy everything in DATA_DIR/pg into the (freshly initialised) server at `serverUrl`, then
 * rename DATA_DIR/pg to DATA_DIR/pg.moved. Throws, with the server's data left uncommitted,
 * on any difference.
 */
export async function movePgliteToServer(dataDir: string, serverUrl: string): Promise<MoveReport> {
  const t0 = performance.now();
  const [{ PGlite }, { pgliteAssets }] = await Promise.all([import('@electric-sql/pglite'), import('./pglite-assets.ts')]);
  const pg = await PGlite.create(pgliteDir(dataDir), await pgliteAssets());
  try {
    await migrate(new Kysely<Database>({ dialect: new PGliteDialect(pg) }));
    const target = await connect({ databaseUrl: serverUrl, dataDir, queryTimeoutMs: 0 });
    try {
      await target.unbounded(migrate);
    } finally {
      await target.close();
    }
    const tables = (await pg.query<{ name: string; parent: string | null; bound: string | null; columns: string[] }>(`
      SELECT c.relname AS name, p.relname AS parent, pg_get_expr(c.relpartbound, c.oid) AS bound,
             array(SELECT a.attname::text FROM pg_attribute a
                   WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
                   ORDER BY a.attnum) AS columns
      FROM pg_class c
      LEFT JOIN pg_inherits i ON i.inhrelid = c.oid
      LEFT JOIN pg_class p ON p.oid = i.inhparent
      WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
        AND c.relname NOT IN ('kysely_migration', 'kysely_migration_lock')
      ORDER BY c.relname`)).rows as Table[];
    const sequences = (await pg.query<{ name: string; value: string | null }>(
      `SELECT sequencename AS name, last_value::text AS value FROM pg_sequences WHERE schemaname = 'public'`)).rows;

    const sql = postgres(serverUrl, { max: 1, onnotice: () => {} });
    let rows = 0;
    try {
      await sql.begin(async (tx) => {
        await tx.unsafe('SET LOCAL session_replication_role = replica');
        // Daily partitions the server does not have yet (the migration creates only a few).
        for (const t of tables) {
          if (t.parent && t.bound) await tx.unsafe(`CREATE TABLE IF NOT EXISTS ${quote(t.name)} PARTITION OF ${quote(t.parent)} ${t.bound}`);
        }
        // What the server's own migration seeded goes: the copy is the whole truth.
        await tx.unsafe(`TRUNCATE ${tables.map((t) => quote(t.name)).join(', ')}`);
        for (const t of tables) {
          const cols = t.columns.map(quote).join(', ');
          const { blob } = await pg.query(`COPY (SELECT ${cols} FROM ONLY ${quote(t.name)}) TO '/dev/blob'`);
          const bytes = new Uint8Array(await (blob ?? new Blob([])).arrayBuffer());
          if (bytes.byteLength) {
            const writable = await tx.unsafe(`COPY ${quote(t.name)} (${cols}) FROM STDIN`).writable();
            await new Promise<void>((resolve, reject) => {
              writable.on('error', reject);
              writable.on('finish', resolve);
              writable.end(bytes);
            });
          }
          const [theirs] = (await pg.query<{ n: number }>(`SELECT count(*)::int AS n FROM ONLY ${quote(t.name)}`)).rows;
          const [ours] = await tx.unsafe(`SELECT count(*)::int AS n FROM ONLY ${quote(t.name)}`);
          if (theirs!.n !== ours!.n) throw new Error(`table ${t.name}: ${theirs!.n} rows in PGlite, ${ours!.n} copied`);
          rows += ours!.n;
        }
        for (const s of sequences) {
          if (s.value !== null) await tx.unsafe('SELECT setval($1::regclass, $2::bigint, true)', [`public.${quote(s.name)}`, s.value]);
        }
      });
    } finally {
      await sql.end({ timeout: 2 });
    }
    return { tables: tables.length, rows, ms: Math.round(performance.now() - t0) };
  } finally {
    await pg.close();
  }
}

/** After the commit: keep the old database beside, as a backup, and end the move. */
export function finishPgliteMove(dataDir: string): void {
  const moved = movedPgliteDir(dataDir);
  rmSync(moved, { recursive: true, force: true });
  renameSync(pgliteDir(dataDir), moved);
  rmSync(markerFile(dataDir), { force: true });
}

/**
 * The move in a child process (`bun db/pglite-move.ts`): PGlite's WebAssembly heap (~900 MiB)
 * lives and dies with that process instead of staying in the gateway's allocator. The server's
 * address (it holds the password) goes through the environment, not the command line.
 */
export async function movePgliteInChild(dataDir: string, serverUrl: string): Promise<MoveReport> {
  const proc = Bun.spawn([process.execPath, import.meta.path, dataDir], {
    env: { ...process.env, SWITCHBOARD_MOVE_TARGET: serverUrl },
    stdout: 'pipe', stderr: 'pipe',
  });
  const [code, out, err] = await Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  if (code !== 0) throw new Error(err.trim().split('\n').at(-1) || `the move exited with ${code}`);
  return JSON.parse(out) as MoveReport;
}

if (import.meta.main) {
  const [dataDir] = process.argv.slice(2);
  const target = process.env.SWITCHBOARD_MOVE_TARGET;
  if (!dataDir || !target) {
    console.error('usage: SWITCHBOARD_MOVE_TARGET=postgres://… bun db/pglite-move.ts DATA_DIR');
    process.exit(2);
  }
  try {
    console.log(JSON.stringify(await movePgliteToServer(dataDir, target)));
    process.exit(0);
  } catch (error) {
    console.error(String((error as Error)?.message ?? error).replaceAll('\n', ' '));
    process.exit(1);
  }
}
