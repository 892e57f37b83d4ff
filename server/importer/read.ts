// Read everything the importer needs from the source up front, so the source connection is
// closed before the first write and a slow target never holds a source transaction open.
import type { SourceReader } from './sources/index.ts';
import type { Row } from './values.ts';
import { LOG_TYPE_CONSUME } from './map/logs.ts';

export interface SourceData {
  channels: Row[];
  users: Row[];
  tokens: Row[];
  options: Row[];
  redemptions: Row[];
  logs: Row[];
  missingTables: string[];
}

const TABLES = ['users', 'tokens', 'channels', 'options', 'redemptions'] as const;

export async function readSource(
  reader: SourceReader,
  opts: { logsDays: number; now: Date },
  progress: (done: number, total: number) => void,
): Promise<SourceData> {
  const present = new Set(await reader.tables());
  await assertOneApiSchema(reader, present);
  const wantLogs = opts.logsDays > 0;
  const total = TABLES.length + (wantLogs ? 1 : 0);
  const data: SourceData = { channels: [], users: [], tokens: [], options: [], redemptions: [], logs: [], missingTables: [] };
  let done = 0;
  progress(done, total);
  for (const table of TABLES) {
    if (present.has(table)) data[table] = await reader.rows(table);
    else data.missingTables.push(table);
    progress(++done, total);
  }
  if (!data.users.length) throw new Error('the One API database has no users (One API always creates its root user): is this the right database? Nothing was imported');
  if (wantLogs) {
    if (present.has('logs')) {
      const cols = new Set(await reader.columns('logs'));
      if (cols.has('type') && cols.has('created_at')) {
        const since = Math.floor(opts.now.getTime() / 1000) - Math.floor(opts.logsDays * 86400);
        data.logs = await reader.rows('logs', [
          { column: 'type', op: '=', value: LOG_TYPE_CONSUME },
          { column: 'created_at', op: '>=', value: since },
        ]);
      } else data.missingTables.push('logs (no type/created_at columns)');
    } else data.missingTables.push('logs');
    progress(++done, total);
  }
  return data;
}

/** Columns the importer cannot do without, per One API table (model/*.go). */
const REQUIRED_COLUMNS: Record<string, string[]> = {
  users: ['id', 'username', 'password', 'role', 'status', 'quota'],
  tokens: ['id', 'user_id', 'key', 'status'],
  channels: ['id', 'type', 'key', 'status', 'name', 'models'],
  options: ['key', 'value'],
  redemptions: ['id', 'key', 'status', 'quota'],
};

/**
 * Refuse, before anything is written, a database that is not One API's: no One API tables at
 * all, a table without a column the import depends on (a channel without `key` would become an
 * enabled channel with no key), or no users (checked once they are read).
 */
async function assertOneApiSchema(reader: SourceReader, present: Set<string>): Promise<void> {
  const known = TABLES.filter((t) => present.has(t));
  if (!present.has('users') || !present.has('channels')) {
    const found = [...present].sort().slice(0, 10).join(', ') || 'no tables at all';
    throw new Error(`not a One API database: it has no ${!present.has('users') && !present.has('channels') ? 'users or channels table' : !present.has('users') ? 'users table' : 'channels table'} (found: ${found}); check the DSN points at One API's database`);
  }
  for (const table of known) {
    const cols = new Set((await reader.columns(table)).map((c) => c.toLowerCase()));
    const missing = (REQUIRED_COLUMNS[table] ?? []).filter((c) => !cols.has(c));
    if (missing.length) throw new Error(`not a One API schema: table ${table} has no ${missing.map((c) => `${table}.${c}`).join(', ')} column${missing.length > 1 ? 's' : ''}; nothing was imported`);
  }
}
