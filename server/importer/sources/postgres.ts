// PostgreSQL source: one connection inside a read-only repeatable-read transaction.
import postgres from 'postgres';
import type { PostgresTarget } from '../dsn.ts';
import type { Row } from '../values.ts';
import { selectSql, type RowFilter, type SourceReader } from './types.ts';

export async function openPostgres(t: PostgresTarget): Promise<SourceReader> {
  // max: 1 so BEGIN/ROLLBACK and every read share the connection (and its snapshot).
  const sql = postgres(t.url, {
    max: 1,
    onnotice: () => {},
    connect_timeout: 10,
    connection: { application_name: 'switchboard-oneapi-import', default_transaction_read_only: true },
  });
  try {
    await sql.unsafe('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  } catch (e) {
    await sql.end({ timeout: 1 }).catch(() => {});
    throw e;
  }
  const columnCache = new Map<string, string[]>();
  const quote = (id: string) => '"' + id.replace(/"/g, '""') + '"';

  const reader: SourceReader = {
    kind: 'postgres',
    async tables() {
      const rows = await sql.unsafe(
        "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
      );
      return rows.map((r) => String(r.name));
    },
    async columns(table) {
      const hit = columnCache.get(table);
      if (hit) return hit;
      const rows = await sql.unsafe(
        'SELECT column_name AS name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position',
        [table],
      );
      const cols = rows.map((r) => String(r.name));
      columnCache.set(table, cols);
      return cols;
    },
    async rows(table, filters: RowFilter[] = []) {
      const { text, params } = selectSql(table, await reader.columns(table), filters, quote, (n) => `$${n}`);
      const rows = await sql.unsafe(text, params);
      return rows.map((r) => ({ ...r }) as Row);
    },
    async close() {
      await sql.unsafe('ROLLBACK').catch(() => {});
      await sql.end({ timeout: 5 });
    },
  };
  return reader;
}
