// One API importer: read a One API database (MySQL, PostgreSQL or SQLite), map every row, and
// upsert it into Switchboard by oneapi_id inside one transaction. See docs/oneapi-import.md.
import { isAbsolute, resolve } from 'node:path';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../../db/schema.ts';
import type { SecretBox } from '../secrets/crypto.ts';
import { describeTarget, parseDsn, type SourceTarget } from './dsn.ts';
import { buildPlan } from './plan.ts';
import { readSource } from './read.ts';
import { redact, ReportBuilder, type ImportProgress, type ImportReport } from './report.ts';
import { openSource, type SourceReader } from './sources/index.ts';
import { writePlan, type PriceMode } from './write/index.ts';

export type { ImportProgress, ImportReport, PreviewEntry, SkippedRow, TableCounts, TableName, ValueChange } from './report.ts';
export type { PriceMode } from './write/index.ts';
export { DsnError, parseDsn, describeTarget } from './dsn.ts';

export interface ImportOptions {
  dsn: string;
  /** Compute everything, write inside the transaction, then roll back. */
  dryRun?: boolean;
  /** Also import consume logs from the last N days (0 or absent: none). */
  logsDays?: number;
  /** Recorded on ledger rows and redemption codes; defaults to `oneapi-import`. */
  actor?: string;
  /** Prices Switchboard already has: `replace` (default) with what One API charged, or `keep` them. */
  prices?: PriceMode;
  onProgress?: (p: ImportProgress) => void;
  /** For tests: the "now" that bounds logsDays. */
  now?: Date;
}

export class OneApiImportError extends Error {
  override name = 'OneApiImportError';
  constructor(
    readonly phase: 'dsn' | 'source' | 'map' | 'write',
    message: string,
  ) {
    super(message);
  }
}

/** Thrown inside the transaction to roll a dry run back. */
class DryRunRollback extends Error {}

// Two imports at once would race on the oneapi_id lookups; the second waits for the first.
const IMPORT_LOCK = 0x0a11_1e0a;

export async function importOneApi(db: Kysely<Database>, box: SecretBox, opts: ImportOptions): Promise<ImportReport> {
  const progress = (phase: string, done: number, total: number) => opts.onProgress?.({ phase, done, total });
  let target: SourceTarget;
  try {
    target = parseDsn(opts.dsn);
  } catch (e) {
    throw new OneApiImportError('dsn', messageOf(e));
  }
  const dsnSecrets = target.kind === 'mysql' ? [target.password] : target.kind === 'postgres' ? [passwordOf(target.url)] : [];
  const logsDays = Math.max(0, opts.logsDays ?? 0);
  const rb = new ReportBuilder({ dryRun: opts.dryRun ?? false, source: describeTarget(target), logsDays });
  if (target.kind === 'sqlite' && !isAbsolute(target.path))
    rb.note(`SQLite path "${target.path}" is relative: it was resolved in the Switchboard server's working directory, as ${resolve(target.path)}`);

  progress('connect', 0, 1);
  let reader: SourceReader | undefined;
  let data;
  try {
    reader = await openSource(target);
    progress('connect', 1, 1);
    data = await readSource(reader, { logsDays, now: opts.now ?? new Date() }, (d, t) => progress('read', d, t));
  } catch (e) {
    throw new OneApiImportError('source', redact(messageOf(e), dsnSecrets));
  } finally {
    await reader?.close().catch(() => {});
  }

  progress('map', 0, 1);
  let plan;
  try {
    plan = buildPlan(data, rb);
  } catch (e) {
    throw new OneApiImportError('map', redact(messageOf(e), dsnSecrets));
  }
  progress('map', 1, 1);
  const secrets = [...plan.secrets, ...dsnSecrets];

  try {
    await db.transaction().execute(async (tx) => {
      await sql`SELECT pg_advisory_xact_lock(${IMPORT_LOCK})`.execute(tx);
      await writePlan({ tx, rb, actor: opts.actor ?? 'oneapi-import', progress }, box, plan, { prices: opts.prices ?? 'replace' });
      if (opts.dryRun) throw new DryRunRollback();
    });
  } catch (e) {
    if (!(e instanceof DryRunRollback)) throw new OneApiImportError('write', redact(messageOf(e), secrets));
  }
  progress('done', 1, 1);
  return rb.finish(secrets);
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function passwordOf(url: string): string {
  try {
    return decodeURIComponent(new URL(url).password);
  } catch {
    return '';
  }
}
