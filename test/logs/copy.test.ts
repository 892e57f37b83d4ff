// COPY … FROM STDIN through Kysely (db/copy.ts), as the log writer's first try uses it, on
// both dialects. The failure path matters most: postgres.js 3.4.9 never settles a COPY the
// server rejects after its data (porsager/postgres #1173), which would hang the writer and
// leave its connection idle in an aborted transaction. Postgres's COPY text format:
// https://www.postgresql.org/docs/current/sql-copy.html#id-1.9.3.55.9.2
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { sql } from 'kysely';
import { connect, type Db } from '../../db/connect.ts';
import { copyIn, copyText } from '../../db/copy.ts';
import { freshPgliteDir, freshPostgres } from '../helpers/databases.ts';

const ODD = ['tab\there', 'line\nbreak\r', 'back\\slash', '\\N', 'NULL', '', 'quote "x" {a,b}', '😀'];

for (const kind of ['postgres', 'pglite'] as const) {
  describe(`COPY FROM STDIN on ${kind}`, () => {
    let db: Db;
    let drop = async () => {};
    beforeAll(async () => {
      if (kind === 'postgres') {
        const fresh = await freshPostgres('sb_copy');
        drop = fresh.drop;
        db = await connect({ databaseUrl: fresh.url, dataDir: '/tmp', poolSize: 2 });
      } else {
        db = await connect({ dataDir: await freshPgliteDir() });
      }
      await sql`CREATE TABLE copied (id int PRIMARY KEY, note text, flag bool)`.execute(db.db);
    }, 60_000);
    afterAll(async () => { await db?.close(); await drop(); });

    // Lines in COPY's text format: id, note (\N for NULL), flag.
    const rows = (from: number, notes: Array<string | null>) =>
      notes.map((n, i) => `${from + i}\t${n === null ? '\\N' : copyText(n)}\t${i % 2 === 0 ? 't' : 'f'}\n`).join('');

    test('rows arrive as sent: escapes, empty text, NULL and the text "NULL" and "\\N"', async () => {
      await db.db.transaction().execute((tx) => tx.executeQuery(copyIn('copied', ['id', 'note', 'flag'], rows(1, [...ODD, null]))));
      const got = await db.db.selectFrom('copied' as never).select(['id', 'note', 'flag'] as never[]).orderBy('id' as never).execute() as Array<{ id: number; note: string | null; flag: boolean }>;
      expect(got.map((r) => r.note)).toEqual([...ODD, null]);
      expect(got.map((r) => r.flag)).toEqual([...ODD, null].map((_, i) => i % 2 === 0));
    });

    test('a row that exists fails the COPY at once with 23505; none of its rows stay; the pool goes on', async () => {
      const started = performance.now();
      const error = await db.db.transaction().execute(async (tx) => {
        await sql`INSERT INTO copied (id, note) VALUES (100, 'before the copy')`.execute(tx);
        await tx.executeQuery(copyIn('copied', ['id', 'note', 'flag'], rows(50, ['new', 'new', 'x']) + rows(1, ['dup'])));
      }).then(() => null, (e: unknown) => e);
      expect((error as { code?: string } | null)?.code).toBe('23505');
      // The statement deadline is 15 s: an error within 2 s is the server's, not a timeout.
      expect(performance.now() - started).toBeLessThan(2_000);
      const left = await sql<{ n: number }>`SELECT count(*)::int AS n FROM copied WHERE id >= 50`.execute(db.db);
      expect(left.rows[0]!.n).toBe(0);
      if (kind === 'postgres') {
        for (let i = 0; i < 4; i++) expect((await sql<{ one: number }>`SELECT 1 AS one`.execute(db.db)).rows[0]!.one).toBe(1);
        const stuck = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'`.execute(db.db);
        expect(stuck.rows[0]!.n).toBe(0);
      }
      // And a COPY after it lands.
      await db.db.transaction().execute((tx) => tx.executeQuery(copyIn('copied', ['id', 'note', 'flag'], rows(200, ['after']))));
      expect((await sql<{ note: string }>`SELECT note FROM copied WHERE id = 200`.execute(db.db)).rows[0]!.note).toBe('after');
    });

    test('a COPY the server refuses before any data (unknown column) rejects with its error', async () => {
      const error = await db.db.transaction().execute((tx) => tx.executeQuery(copyIn('copied', ['id', 'nope'], rows(300, ['x']))))
        .then(() => null, (e: unknown) => e);
      expect((error as { code?: string } | null)?.code).toBe('42703');
      expect((await sql<{ one: number }>`SELECT 1 AS one`.execute(db.db)).rows[0]!.one).toBe(1);
    });

    test('only a plain COPY of named columns FROM STDIN is built', () => {
      expect(() => copyIn('copied; DROP TABLE x', ['id'], '')).toThrow('not a plain COPY');
      expect(() => copyIn('copied', ['id) FROM PROGRAM (x'], '')).toThrow('not a plain COPY');
    });
  });
}

describe('COPY FROM STDIN past its deadline on postgres', () => {
  let db: Db;
  let drop = async () => {};
  beforeAll(async () => {
    const fresh = await freshPostgres('sb_copy_deadline');
    drop = fresh.drop;
    // One connection: a slot lost to the COPY would hang every query after it.
    db = await connect({ databaseUrl: fresh.url, dataDir: '/tmp', poolSize: 1, queryTimeoutMs: 1_000 });
    await sql`CREATE TABLE slow (id int PRIMARY KEY)`.execute(db.db);
    await sql`CREATE FUNCTION nap() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.002); RETURN NEW; END $$`.execute(db.db);
    await sql`CREATE TRIGGER nap BEFORE INSERT ON slow FOR EACH ROW EXECUTE FUNCTION nap()`.execute(db.db);
  }, 60_000);
  afterAll(async () => { await db?.close(); await drop(); });

  // postgres.js stops treating a COPY as a running query once the server asks for its data,
  // so its cancel did nothing and the dialect gave the connection up: the backend then sat
  // idle in an aborted transaction for good and the pool's one slot with it.
  for (const serverTimeout of [true, false]) {
    test(`it is cancelled, rolled back, and the connection serves the next query (${serverTimeout ? 'the server\'s statement_timeout' : 'no server timeout: the client\'s cancel'})`, async () => {
      const rows = Array.from({ length: 2_000 }, (_, i) => `${i}\n`).join(''); // ~4 s of trigger naps
      const started = performance.now();
      const error = await db.db.transaction().execute(async (tx) => {
        if (!serverTimeout) await sql`SET LOCAL statement_timeout = 0`.execute(tx);
        await tx.executeQuery(copyIn('slow', ['id'], rows));
      }).then(() => null, (e: unknown) => e);
      expect((error as { code?: string } | null)?.code).toBe('57014');
      // The server's timeout at 1 s, else the client's cancel a second later.
      expect(String((error as Error).message)).toContain(serverTimeout ? 'statement timeout' : 'user request');
      expect(performance.now() - started).toBeLessThan(serverTimeout ? 1_800 : 3_000);
      expect(db.health.isUp).toBe(true);
      expect((await sql<{ n: number }>`SELECT count(*)::int AS n FROM slow`.execute(db.db)).rows[0]!.n).toBe(0);
      const stuck = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'`.execute(db.db);
      expect(stuck.rows[0]!.n).toBe(0);
    }, 20_000);
  }
});
