// Hourly upkeep of the log tables, done by one instance at a time (advisory lock): create
// the coming days' partitions and apply the retention setting.
import { exclusive, repeat } from '../util/schedule.ts';
import type { JobDeps } from '../util/schedule.ts';
import type { LogSettingsCache } from './settings.ts';

/** What log maintenance needs of the running gateway (passed down, never imported). */
type MaintenanceDeps = JobDeps & { logSettings: LogSettingsCache };
import { DAY_MS, dayStart, ensurePartitions, PARTITIONED_TABLES } from './partitions.ts';
import { applyRetention, type RetentionResult } from './retention.ts';

const LOCK = 0x5342_0010;
const EVERY_MS = 3_600_000;

/**
 * Partitions from yesterday to three days ahead. Run at start before the writer, so calls
 * land in their day's partition rather than the default one (which would then block
 * creating that day). Another instance creating the same day at once is harmless.
 */
export async function ensureLogPartitions(gw: MaintenanceDeps, now = Date.now()): Promise<void> {
  for (const table of PARTITIONED_TABLES) {
    try {
      const created = await ensurePartitions(gw.db.db, table, dayStart(now) - DAY_MS, dayStart(now) + 3 * DAY_MS);
      if (created.length) gw.log.info('created log partitions', { partitions: created });
    } catch (error) {
      gw.log.warn('could not create log partitions; rows go to the default partition', { table, error });
    }
  }
}

/** One run; null when another instance holds the lock. */
export async function runLogMaintenance(gw: MaintenanceDeps, now = Date.now()): Promise<RetentionResult | null> {
  let result: RetentionResult | null = null;
  await exclusive(gw, LOCK, async () => {
    await ensureLogPartitions(gw, now);
    const r = await applyRetention(gw.db.db, gw.logSettings.current.retentionDays, now);
    if (r.dropped.length || r.deleted) gw.log.info('log retention applied', { ...r });
    result = r;
  });
  return result;
}

/** First run a minute after start (retention may have been due while we were down), then hourly. */
export function startLogMaintenance(gw: MaintenanceDeps) {
  let first = true;
  const interval = () => (first ? ((first = false), 60_000) : EVERY_MS);
  return repeat(gw, 'log-maintenance', interval, () => runLogMaintenance(gw));
}
