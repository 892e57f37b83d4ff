// SQLite source (One API's default one-api.db), opened read-only.
import { Database } from 'bun:sqlite';
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { SqliteTarget } from '../dsn.ts';
import type { Row } from '../values.ts';
import { selectSql, type RowFilter, type SourceReader } from './types.ts';

export async function openSqlite(t: SqliteTarget): Promise<SourceReader> {
  const path = resolve(t.path);
  if (!existsSync(path)) {
    throw new Error(isAbsolute(t.path)
      ? `SQLite file not found: ${path}`
      : `SQLite file not found: the relative path "${t.path}" was resolved in the Switchboard server's working directory (${process.cwd()}) as ${path}; give the absolute path of One API's database file`);
  }
  // safeIntegers: quota columns are int64 and may exceed 2^53.
  const db = new Database(path, { readonly: true, safeIntegers: true });
  const columnCache = new Map<string, string[]>();
  const quote = (id: string) => '"' + id.replace(/"/g, '""') + '"';
  db.exec('BEGIN');

  const reader: SourceReader = {
    kind: 'sqlite',
    async tables() {
      return db
        .query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .all()
        .map((r) => String((r as Row).name));
    },
    async columns(table) {
      const hit = columnCache.get(table);
      if (hit) return hit;
      const cols = db
        .query(`PRAGMA table_info(${quote(table)})`)
        .all()
        .map((r) => String((r as Row).name));
      columnCache.set(table, cols);
      return cols;
    },
    async rows(table, filters: RowFilter[] = []) {
      const { text, params } = selectSql(table, await reader.columns(table), filters, quote, () => '?');
      return db.query(text).all(...params) as Row[];
    },
    async close() {
      try {
        db.exec('ROLLBACK');
      } finally {
        db.close();
      }
    },
  };
  return reader;
}
