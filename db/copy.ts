// `COPY table (columns) FROM STDIN` through Kysely: the rows travel as the query's one
// parameter, in COPY's text format, and both dialects (postgres-dialect.ts,
// pglite-dialect.ts) recognise the statement and stream that parameter as the COPY data.
// Kysely has no COPY of its own; this keeps a COPY inside the caller's transaction.
// COPY parses each row once, with no plan, no array literals and no function scan: the
// cheapest way Postgres has to take many rows (docs/performance.md). It has no ON CONFLICT:
// a row that exists fails the whole statement, and the transaction with it.
import { CompiledQuery } from 'kysely';

const COPY_IN = /^COPY [a-z_][a-z0-9_]* \([a-z0-9_, ]+\) FROM STDIN$/;

/** The statement for `rows` (text-format lines, e.g. server/logs/call-record.ts encodeCopyRows), run with `tx.executeQuery`. */
export function copyIn(table: string, columns: readonly string[], rows: string): CompiledQuery {
  const statement = `COPY ${table} (${columns.join(', ')}) FROM STDIN`;
  if (!COPY_IN.test(statement)) throw new Error(`not a plain COPY … FROM STDIN: ${statement}`);
  return CompiledQuery.raw(statement, [rows]);
}

/** A statement made by `copyIn`: its data is `query.parameters[0]`. */
export function isCopyIn(query: CompiledQuery): query is CompiledQuery & { parameters: readonly [string] } {
  return query.parameters.length === 1 && typeof query.parameters[0] === 'string' && query.sql.startsWith('COPY ') && COPY_IN.test(query.sql);
}

/** COPY text format: backslash, tab, newline and carriage return are escaped (a field of \N is NULL). */
const SPECIAL = /[\\\t\n\r]/;
const SPECIAL_ALL = /[\\\t\n\r]/g;
const ESCAPED: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** Text as one COPY field (escaped); the caller has made it valid Postgres text. */
export const copyText = (s: string): string => (SPECIAL.test(s) ? s.replace(SPECIAL_ALL, (c) => ESCAPED[c]!) : s);
