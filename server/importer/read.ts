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
