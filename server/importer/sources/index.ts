import type { SourceTarget } from '../dsn.ts';
import { openMysql } from './mysql.ts';
import { openPostgres } from './postgres.ts';
import { openSqlite } from './sqlite.ts';
import type { SourceReader } from './types.ts';

export type { RowFilter, SourceReader } from './types.ts';

export function openSource(target: SourceTarget): Promise<SourceReader> {
  switch (target.kind) {
    case 'mysql':
      return openMysql(target);
    case 'postgres':
      return openPostgres(target);
    case 'sqlite':
      return openSqlite(target);
  }
}
