// Cheaper logging per call (issue 23, docs/performance.md "Cheaper logging per call"):
// the log writer sums the hourly rollups of the rows it inserted itself and upserts them in
// the same transaction (server/logs/rollups.ts), so the rollup trigger on call_logs no
// longer runs for its inserts. The trigger stays for every other writer (importer, ad-hoc
// SQL) and skips a statement whose transaction set `switchboard.rollups` to 'writer'.
import type { Kysely } from 'kysely';
import { execScript } from '../script.ts';

export async function up(db: Kysely<any>): Promise<void> {
  await execScript(db, `
    DROP TRIGGER IF EXISTS call_logs_rollup ON call_logs;
    CREATE TRIGGER call_logs_rollup AFTER INSERT ON call_logs REFERENCING NEW TABLE AS new_rows
      FOR EACH STATEMENT WHEN (current_setting('switchboard.rollups', true) IS DISTINCT FROM 'writer')
      EXECUTE FUNCTION call_logs_rollup();
  `);
}

export async function down(db: Kysely<any>): Promise<void> {
  await execScript(db, `
    DROP TRIGGER IF EXISTS call_logs_rollup ON call_logs;
    CREATE TRIGGER call_logs_rollup AFTER INSERT ON call_logs REFERENCING NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION call_logs_rollup();
  `);
}
