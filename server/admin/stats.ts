// Dashboards, read from the hourly rollups only (never from call_logs): totals grouped by
// model, channel, key, user, hour or day over a time range, with latency percentiles merged
// from the per-row histograms. A `user` principal sees only its own usage.
import { type Expression, type Kysely, sql } from 'kysely';
import * as v from 'valibot';
import type { Database } from '../../db/schema.ts';
import { LATENCY_BUCKETS, quantile } from '../logs/latency-histogram.ts';
import { int4, Text } from './schemas.ts';
import { ownerFilter, router, userProcedure } from './trpc.ts';

const HOUR = 3_600_000;
const MAX_RANGE = 400 * 24 * HOUR;
const id = int4(0);

export const StatsInput = v.pipe(
  v.object({
    from: v.optional(v.date()),
    to: v.optional(v.date()),
    groupBy: v.optional(v.picklist(['none', 'model', 'channel', 'key', 'user', 'hour', 'day']), 'none'),
    model: v.optional(v.pipe(Text, v.nonEmpty())),
    channelId: v.optional(id),
    keyId: v.optional(id),
    userId: v.optional(id),
  }),
  v.check((i) => !i.from || !i.to || (i.from < i.to && i.to.getTime() - i.from.getTime() <= MAX_RANGE), 'from must be before to, at most 400 days apart'),
);
type StatsInput = v.InferOutput<typeof StatsInput>;

const DIMENSION: Record<StatsInput['groupBy'], Expression<unknown>> = {
  none: sql`'all'`,
  model: sql`model`,
  channel: sql`channel_id`,
  key: sql`key_id`,
  user: sql`user_id`,
  hour: sql`hour`,
  day: sql`date_trunc('day', hour, 'UTC')`,
};

export interface StatsRow {
  /** The group: model name, channel/key/user id (0 = none), hour or day; 'all' without grouping. */
  key: string | number | Date;
  calls: number;
  errors4xx: number;
  errors5xx: number;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
  /** nano-USD */
  cost: bigint;
  avgLatencyMs: number | null;
  p50LatencyMs: number | null;
  p90LatencyMs: number | null;
  p99LatencyMs: number | null;
}

/**
 * The rollup rows in range. Queries that neither filter nor group by key or user read
 * usage_hourly_models (a few rows per model and channel per hour) instead of usage_hourly
 * (one per active model × channel × key × user per hour).
 */
function scoped(db: Kysely<Database>, input: StatsInput, owner: number | null, from: Date, to: Date) {
  const perAccount = owner !== null || input.keyId !== undefined || input.userId !== undefined || input.groupBy === 'key' || input.groupBy === 'user';
  // Typed as the wide table: the narrow one has every column read here but key_id and user_id, used only when perAccount.
  const table = (perAccount ? 'usage_hourly' : 'usage_hourly_models') as 'usage_hourly';
  let q = db.selectFrom(table).where('hour', '>=', from).where('hour', '<', to);
  if (owner !== null) q = q.where('user_id', '=', owner);
  if (input.model !== undefined) q = q.where('model', '=', input.model);
  if (input.channelId !== undefined) q = q.where('channel_id', '=', input.channelId);
  if (input.keyId !== undefined) q = q.where('key_id', '=', input.keyId);
  if (input.userId !== undefined) q = q.where('user_id', '=', input.userId);
  return q;
}

export async function usageStats(db: Kysely<Database>, input: StatsInput, owner: number | null): Promise<StatsRow[]> {
  const to = input.to ?? new Date(Math.ceil(Date.now() / HOUR) * HOUR);
  const from = input.from ?? new Date(to.getTime() - 24 * HOUR);
  const dim = DIMENSION[input.groupBy];
  const sum = (col: string) => sql<string>`sum(${sql.ref(col)})::int8::text`;
  // Histograms merge by adding bucket counts: one sum per bucket, in the same pass.
  const buckets = Array.from({ length: LATENCY_BUCKETS }, (_, i) => sql<string>`sum(latency_hist[${sql.lit(i + 1)}])::int8::text`.as(`b${i}`));
  const totals = await scoped(db, input, owner, from, to).select([
    sql<string | number | Date>`${dim}`.as('k'),
    sum('calls').as('calls'), sum('errors_4xx').as('errors_4xx'), sum('errors_5xx').as('errors_5xx'),
    sum('prompt_tokens').as('prompt_tokens'), sum('completion_tokens').as('completion_tokens'),
    sum('cached_tokens').as('cached_tokens'), sum('cache_write_tokens').as('cache_write_tokens'),
    sum('reasoning_tokens').as('reasoning_tokens'), sum('cost').as('cost'), sum('latency_ms_sum').as('latency_ms_sum'),
    ...buckets,
  ]).groupBy(sql`1`).orderBy(sql`1`).execute();
  return totals.map((t) => {
    const calls = Number(t.calls);
    const row = t as unknown as Record<string, string>;
    const h = Array.from({ length: LATENCY_BUCKETS }, (_, i) => Number(row[`b${i}`] ?? 0));
    return {
      key: t.k, calls, errors4xx: Number(t.errors_4xx), errors5xx: Number(t.errors_5xx),
      promptTokens: Number(t.prompt_tokens), completionTokens: Number(t.completion_tokens), cachedTokens: Number(t.cached_tokens),
      cacheWriteTokens: Number(t.cache_write_tokens), reasoningTokens: Number(t.reasoning_tokens), cost: BigInt(t.cost),
      avgLatencyMs: calls ? Math.round(Number(t.latency_ms_sum) / calls) : null,
      p50LatencyMs: quantile(h, 0.5), p90LatencyMs: quantile(h, 0.9), p99LatencyMs: quantile(h, 0.99),
    };
  });
}

export const statsRouter = router({
  /** Usage over a time range (default: the last 24 hours), optionally grouped. */
  usage: userProcedure.input(StatsInput).query(({ ctx, input }) => usageStats(ctx.gw.db.db, input, ownerFilter(ctx))),
});

/** One bucket × model × channel of a usage time series. Peak rates, TTFT and cache hits come from call_logs only. */
export interface SeriesRow {
  /** Bucket start, epoch seconds (the bucket is cut in `timezone`). */
  ts: number;
  model: string;
  channelId: number;
  calls: number;
  errors: number;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  cacheWriteTokens: number;
  cost: bigint;
  latencyMsSum: number;
  ttftMsSum: number | null;
  cacheHits: number | null;
  /** The busiest minute's calls and tokens. */
  maxRpm: number | null;
  maxTpm: number | null;
}

export interface SeriesInput {
  from: Date;
  to: Date;
  span: 'minute' | 'hour' | 'day';
  /** IANA zone buckets are cut in. */
  timezone: string;
  model?: string;
  channelId?: number;
}

/** Ranges up to this long are read from call_logs (per-minute peaks); longer ones from the hourly rollups. */
export const SERIES_DETAIL_MS = 7 * 24 * HOUR;

/**
 * Usage per time bucket, model and channel (calls that reached a channel). Short ranges are
 * summed from call_logs per minute first, which gives the busiest minute of each bucket;
 * longer ones come from usage_hourly_models (hour and day buckets only, no peaks).
 */
export async function usageSeries(db: Kysely<Database>, input: SeriesInput): Promise<SeriesRow[]> {
  const span = sql.lit(input.span);
  const tz = input.timezone;
  const n = (x: unknown) => Number(x ?? 0);
  if (input.to.getTime() - input.from.getTime() <= SERIES_DETAIL_MS) {
    let minutes = db.selectFrom('call_logs')
      .select([
        sql<Date>`date_trunc('minute', created_at)`.as('mi'), 'model', 'channel_id',
        sql<string>`count(*)`.as('c'),
        sql<string>`count(*) FILTER (WHERE status >= 400)`.as('e'),
        sql<string>`sum(prompt_tokens)`.as('p'), sql<string>`sum(completion_tokens)`.as('o'),
        sql<string>`sum(cached_tokens)`.as('ca'), sql<string>`sum(cache_write_tokens)`.as('cw'),
        sql<string>`sum(cost)`.as('cost'), sql<string>`sum(latency_ms)`.as('lat'),
        sql<string>`sum(coalesce(ttft_ms, 0))`.as('ttft'),
        sql<string>`count(*) FILTER (WHERE cached_tokens > 0)`.as('hits'),
      ])
      .where('created_at', '>=', input.from).where('created_at', '<', input.to).where('channel_id', 'is not', null)
      .groupBy([sql`1`, 'model', 'channel_id']);
    if (input.model !== undefined) minutes = minutes.where('model', '=', input.model);
    if (input.channelId !== undefined) minutes = minutes.where('channel_id', '=', input.channelId);
    const rows = await db.selectFrom(minutes.as('m'))
      .select([
        sql<string>`extract(epoch from date_trunc(${span}, mi, ${tz}))::int8::text`.as('ts'), 'model', 'channel_id',
        sql<string>`sum(c)::int8::text`.as('calls'), sql<string>`sum(e)::int8::text`.as('errors'),
        sql<string>`sum(p)::int8::text`.as('p'), sql<string>`sum(o)::int8::text`.as('o'),
        sql<string>`sum(ca)::int8::text`.as('ca'), sql<string>`sum(cw)::int8::text`.as('cw'),
        sql<string>`sum(cost)::int8::text`.as('cost'), sql<string>`sum(lat)::int8::text`.as('lat'),
        sql<string>`sum(ttft)::int8::text`.as('ttft'), sql<string>`sum(hits)::int8::text`.as('hits'),
        sql<string>`max(c)::int8::text`.as('max_rpm'), sql<string>`max(p + o)::int8::text`.as('max_tpm'),
      ])
      .groupBy([sql`1`, 'model', 'channel_id']).orderBy(sql`1`).orderBy('model').orderBy('channel_id').execute();
    return rows.map((r) => ({
      ts: n(r.ts), model: r.model, channelId: n(r.channel_id), calls: n(r.calls), errors: n(r.errors),
      promptTokens: n(r.p), completionTokens: n(r.o), cachedTokens: n(r.ca), cacheWriteTokens: n(r.cw), cost: BigInt(r.cost ?? 0),
      latencyMsSum: n(r.lat), ttftMsSum: n(r.ttft), cacheHits: n(r.hits), maxRpm: n(r.max_rpm), maxTpm: n(r.max_tpm),
    }));
  }
  let q = db.selectFrom('usage_hourly_models')
    .select([
      sql<string>`extract(epoch from date_trunc(${span}, hour, ${tz}))::int8::text`.as('ts'), 'model', 'channel_id',
      sql<string>`sum(calls)::int8::text`.as('calls'), sql<string>`sum(errors_4xx + errors_5xx)::int8::text`.as('errors'),
      sql<string>`sum(prompt_tokens)::int8::text`.as('p'), sql<string>`sum(completion_tokens)::int8::text`.as('o'),
      sql<string>`sum(cached_tokens)::int8::text`.as('ca'), sql<string>`sum(cache_write_tokens)::int8::text`.as('cw'),
      sql<string>`sum(cost)::int8::text`.as('cost'), sql<string>`sum(latency_ms_sum)::int8::text`.as('lat'),
    ])
    .where('hour', '>=', sql<Date>`date_trunc('hour', ${input.from}::timestamptz)`).where('hour', '<', input.to).where('channel_id', '<>', 0)
    .groupBy([sql`1`, 'model', 'channel_id']).orderBy(sql`1`).orderBy('model').orderBy('channel_id');
  if (input.model !== undefined) q = q.where('model', '=', input.model);
  if (input.channelId !== undefined) q = q.where('channel_id', '=', input.channelId);
  return (await q.execute()).map((r) => ({
    ts: n(r.ts), model: r.model, channelId: n(r.channel_id), calls: n(r.calls), errors: n(r.errors),
    promptTokens: n(r.p), completionTokens: n(r.o), cachedTokens: n(r.ca), cacheWriteTokens: n(r.cw), cost: BigInt(r.cost ?? 0),
    latencyMsSum: n(r.lat), ttftMsSum: null, cacheHits: null, maxRpm: null, maxTpm: null,
  }));
}
