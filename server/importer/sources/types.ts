import type { Row } from '../values.ts';

export interface RowFilter {
  column: string;
  op: '=' | '>=';
  value: number;
}

/** Read-only view of a One API database, the same for MySQL, PostgreSQL and SQLite. */
export interface SourceReader {
  readonly kind: 'mysql' | 'postgres' | 'sqlite';
  tables(): Promise<string[]>;
  columns(table: string): Promise<string[]>;
  /** Every row of a table (ordered by id when it has one); filters must name existing columns. */
  rows(table: string, filters?: RowFilter[]): Promise<Row[]>;
  close(): Promise<void>;
}

/** `SELECT * FROM t WHERE … ORDER BY id` with dialect quoting and placeholders. */
export function selectSql(
  table: string,
  columns: string[],
  filters: RowFilter[],
  quote: (ident: string) => string,
  placeholder: (n: number) => string,
): { text: string; params: number[] } {
  const known = new Set(columns);
  if (!known.size) throw new Error(`source table ${table} not found`);
  const where: string[] = [];
  const params: number[] = [];
  for (const f of filters) {
    if (!known.has(f.column)) throw new Error(`source table ${table} has no column ${f.column}`);
    params.push(f.value);
    where.push(`${quote(f.column)} ${f.op} ${placeholder(params.length)}`);
  }
  let text = `SELECT * FROM ${quote(table)}`;
  if (where.length) text += ` WHERE ${where.join(' AND ')}`;
  if (known.has('id')) text += ` ORDER BY ${quote('id')}`;
  return { text, params };
}
