// MySQL/MariaDB source over one connection held in a read-only, consistent-snapshot transaction.
import mysql from 'mysql2/promise';
import type { MysqlTarget } from '../dsn.ts';
import type { Row } from '../values.ts';
import { selectSql, type RowFilter, type SourceReader } from './types.ts';

export async function openMysql(t: MysqlTarget): Promise<SourceReader> {
  const conn = await mysql.createConnection({
    host: t.host,
    port: t.port,
    socketPath: t.socketPath,
    user: t.user,
    password: t.password,
    database: t.database,
    charset: t.params.charset?.split(',')[0] ?? 'utf8mb4',
    // BIGINT and DECIMAL as strings: quota columns must not pass through float.
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
    connectTimeout: 10_000,
  });
  try {
    await conn.query('SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ');
    await conn.query('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY');
  } catch (e) {
    await conn.end().catch(() => {});
    throw e;
  }
  const columnCache = new Map<string, string[]>();
  const quote = (id: string) => '`' + id.replace(/`/g, '``') + '`';

  const reader: SourceReader = {
    kind: 'mysql',
    async tables() {
      const [rows] = await conn.query(
        'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE()',
      );
      return (rows as Row[]).map((r) => String(r.name));
    },
    async columns(table) {
      const hit = columnCache.get(table);
      if (hit) return hit;
      const [rows] = await conn.query(
        'SELECT column_name AS name FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ? ORDER BY ordinal_position',
        [table],
      );
      const cols = (rows as Row[]).map((r) => String(r.name).toLowerCase());
      columnCache.set(table, cols);
      return cols;
    },
    async rows(table, filters: RowFilter[] = []) {
      const { text, params } = selectSql(table, await reader.columns(table), filters, quote, () => '?');
      const [rows] = await conn.query(text, params);
      return (rows as Row[]).map(lowerKeys);
    },
    async close() {
      await conn.query('ROLLBACK').catch(() => {});
      await conn.end();
    },
  };
  return reader;
}

function lowerKeys(r: Row): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(r)) out[k.toLowerCase()] = v;
  return out;
}
