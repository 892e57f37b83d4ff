// What the channel list shows beside each channel's settings: its last recorded test, its
// traffic over the last days (hourly rollups, a few rows per channel and model per hour) and
// its recent health window (in memory, per model).
import { type Kysely, sql } from 'kysely';
import type { Database } from '../../db/schema.ts';
import type { Gateway } from '../context.ts';

export interface LastTest {
  at: Date;
  model: string;
  success: boolean;
  status: number | null;
  latencyMs: number;
  error: string | null;
}

export interface ChannelUsage {
  calls: number;
  errors: number;
  cost: bigint;
}

export const USAGE_DAYS = 7;

/** The newest test result of every channel that has one. */
export async function lastTests(db: Kysely<Database>): Promise<Map<number, LastTest>> {
  const rows = await db.selectFrom('channel_tests')
    .select(['channel_id', 'created_at', 'model', 'success', 'status', 'latency_ms', 'error'])
    .distinctOn('channel_id').orderBy('channel_id').orderBy('id', 'desc').execute();
  return new Map(rows.map((r) => [r.channel_id, {
    at: new Date(r.created_at), model: r.model, success: r.success, status: r.status, latencyMs: r.latency_ms, error: r.error,
  }]));
}

/** Calls, failed calls and cost per channel over the last `days` days. */
export async function channelUsage(db: Kysely<Database>, days = USAGE_DAYS): Promise<Map<number, ChannelUsage>> {
  const since = new Date(Date.now() - days * 86_400_000);
  const rows = await db.selectFrom('usage_hourly_models')
    .select([
      'channel_id',
      sql<string>`sum(calls)::text`.as('calls'),
      sql<string>`sum(errors_4xx + errors_5xx)::text`.as('errors'),
      sql<string>`sum(cost)::text`.as('cost'),
    ])
    .where('hour', '>=', since).groupBy('channel_id').execute();
  return new Map(rows.map((r) => [r.channel_id, { calls: Number(r.calls), errors: Number(r.errors), cost: BigInt(r.cost) }]));
}

/** Outcomes in the routing health window, summed over the channel's models. */
export function channelHealth(gw: Gateway, channelId: number, models: readonly string[]): { total: number; errors: number } {
  let total = 0;
  let errors = 0;
  for (const m of models) {
    const s = gw.routing.health.stats(channelId, m);
    total += s.total;
    errors += s.errors;
  }
  return { total, errors };
}
