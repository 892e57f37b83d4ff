// The operator's margin over call_logs: revenue (Σ cost, what users were billed), upstream
// cost (Σ upstream_cost, the channels' cost prices) and margin = revenue − upstream cost, by
// channel, model, user or day (billing timezone), all in exact nano-USD integers summed by
// Postgres (numeric, never floats). Calls whose channel has no cost price count as revenue
// with no upstream cost, and are counted apart (`unpricedCalls`) so a missing cost price
// shows instead of passing for pure margin.
import { type Kysely, sql } from 'kysely';
import * as v from 'valibot';
import type { Database } from '../../db/schema.ts';

export const MarginBy = v.picklist(['channel', 'model', 'user', 'day']);

export interface MarginQuery {
  from: Date;
  to: Date;
  by: v.InferOutput<typeof MarginBy>;
  channelId?: number;
  model?: string;
  userId?: number;
}

export interface MarginRow {
  group: string;
  calls: number;
  unpricedCalls: number;
  revenue: bigint;
  upstreamCost: bigint;
  margin: bigint;
}

const GROUPS = {
  channel: sql<string>`coalesce(channel_id::text, '')`,
  model: sql<string>`model`,
  user: sql<string>`coalesce(user_id::text, '')`,
  day: sql<string>`to_char(created_at AT TIME ZONE billing_timezone(), 'YYYY-MM-DD')`,
};

export async function marginReport(db: Kysely<Database>, q: MarginQuery): Promise<{ rows: MarginRow[]; total: Omit<MarginRow, 'group'> }> {
  let query = db.selectFrom('call_logs')
    .select([
      GROUPS[q.by].as('group'),
      sql<number>`count(*)::int`.as('calls'),
      sql<number>`(count(*) filter (where upstream_cost is null and channel_id is not null and status < 400))::int`.as('unpriced'),
      sql<string>`coalesce(sum(cost), 0)::text`.as('revenue'),
      sql<string>`coalesce(sum(upstream_cost), 0)::text`.as('upstream'),
    ])
    .where('created_at', '>=', q.from).where('created_at', '<', q.to)
    .groupBy(sql`1`).orderBy(sql`1`);
  if (q.channelId !== undefined) query = query.where('channel_id', '=', q.channelId);
  if (q.model) query = query.where('model', '=', q.model);
  if (q.userId !== undefined) query = query.where('user_id', '=', q.userId);
  const rows = (await query.execute()).map((r) => {
    const revenue = BigInt(r.revenue);
    const upstreamCost = BigInt(r.upstream);
    return { group: r.group, calls: r.calls, unpricedCalls: r.unpriced, revenue, upstreamCost, margin: revenue - upstreamCost };
  });
  const total = rows.reduce((t, r) => ({
    calls: t.calls + r.calls, unpricedCalls: t.unpricedCalls + r.unpricedCalls,
    revenue: t.revenue + r.revenue, upstreamCost: t.upstreamCost + r.upstreamCost, margin: t.margin + r.margin,
  }), { calls: 0, unpricedCalls: 0, revenue: 0n, upstreamCost: 0n, margin: 0n });
  return { rows, total };
}

const usd = (n: bigint) => {
  const neg = n < 0n;
  const a = neg ? -n : n;
  return `${neg ? '-' : ''}${a / 1_000_000_000n}.${(a % 1_000_000_000n).toString().padStart(9, '0')}`;
};

/** The report as CSV: one row per group and a total row; money in USD with 9 decimals (exact). */
export function marginCsv(by: string, report: Awaited<ReturnType<typeof marginReport>>): string {
  const esc = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
  const line = (g: string, r: Omit<MarginRow, 'group'>) => [esc(g), r.calls, r.unpricedCalls, usd(r.revenue), usd(r.upstreamCost), usd(r.margin)].join(',');
  return [`${by},calls,unpriced_calls,revenue_usd,upstream_cost_usd,margin_usd`, ...report.rows.map((r) => line(r.group, r)), line('total', report.total)].join('\n') + '\n';
}
