// Retention: day partitions past the window are dropped whole; rows past the cutoff that sit
// in the default partition (imported history) are deleted in batches; recent rows stay.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { sql } from 'kysely';
import { DAY_MS, dayStart, ensurePartitions, listPartitions, partitionName } from '../../server/logs/partitions.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { insertFixtures, insertSeries } from './fixtures.ts';

describe.each(['postgres', 'pglite'] as const)('log retention on %s', (kind) => {
  let g: TestGateway;
  const now = Date.now();
  const oldDay = dayStart(now - 39 * DAY_MS);

  beforeAll(async () => {
    g = await startTestGateway(kind);
    const db = g.gw.db.db;
    for (const table of ['call_logs', 'call_bodies'] as const) await ensurePartitions(db, table, oldDay, oldDay);
    await insertFixtures(g, { count: 300, users: [1], newest: oldDay + 12 * 3_600_000 });
    await db.insertInto('call_bodies').values({ request_id: 'req_fx_1', created_at: new Date(oldDay + 12 * 3_600_000), request: '{}', response: '{}' }).execute();
    // 12k rows 200 days back: no partition covers them, so they live in call_logs_default.
    await insertSeries(g, 12_000, now - 200 * DAY_MS, 1000);
    // Recent traffic that must survive.
    await insertSeries(g, 500, now - 60_000, 1000);
  }, 120_000);
  afterAll(() => g.close());

  const count = async (where: string) =>
    Number((await sql<{ n: string }>`SELECT count(*)::text AS n FROM ${sql.raw(where)}`.execute(g.gw.db.db)).rows[0]!.n);

  test('off by default: maintenance keeps everything', async () => {
    expect(g.gw.logSettings.current.retentionDays).toBe(0);
    const r = await g.admin.logs.maintain.mutate();
    expect(r).toEqual({ dropped: [], deleted: 0 });
    expect(await count('call_logs')).toBe(12_800);
  });

  test('30 days: old partitions dropped, default-partition history deleted in batches, recent rows kept', async () => {
    expect(await count('call_logs_default')).toBe(12_000);
    await g.admin.logs.setSettings.mutate({ retentionDays: 30 });
    const r = (await g.admin.logs.maintain.mutate())!;
    expect(r.dropped.sort()).toEqual([partitionName('call_bodies', oldDay), partitionName('call_logs', oldDay)]);
    expect(r.deleted).toBe(12_000);
    expect(await count('call_logs')).toBe(500);
    expect(await count('call_bodies')).toBe(0);
    expect(await count('call_logs_default')).toBe(0);
    const names = (await listPartitions(g.gw.db.db, 'call_logs')).map((p) => p.name);
    expect(names).not.toContain(partitionName('call_logs', oldDay));
    // Upcoming days exist, so new calls land in their own partitions.
    expect(names).toContain(partitionName('call_logs', dayStart(now) + DAY_MS));
    // Dashboards keep their history: rollups are not part of the log retention.
    const oldHours = await g.gw.db.db.selectFrom('usage_hourly').select('hour').where('hour', '<', new Date(now - 30 * DAY_MS)).execute();
    expect(oldHours.length).toBeGreaterThan(0);
  }, 60_000);
});
