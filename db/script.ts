import { type Kysely, sql } from 'kysely';

/** Split a SQL script into statements: on `;` at end of line, never inside a `$$` body. */
export function splitStatements(script: string): string[] {
  const out: string[] = [];
  let current = '';
  let inDollar = false;
  for (const line of script.split('\n')) {
    current += line + '\n';
    if ((line.match(/\$\$/g)?.length ?? 0) % 2 === 1) inDollar = !inDollar;
    if (!inDollar && /;\s*$/.test(line)) {
      out.push(current.trim());
      current = '';
    }
  }
  if (current.trim()) out.push(current.trim());
  return out;
}

/** Run a multi-statement script one statement at a time (both drivers prepare statements). */
export async function execScript(db: Kysely<any>, script: string): Promise<void> {
  for (const stmt of splitStatements(script)) await sql.raw(stmt).execute(db);
}
