// `GET /api/dashboardv2/` in AI Proxy's shape (core/controller/dashboard.go,
// model/summary-minute.go TimeSummaryDataV2): `[{ timestamp, summary: [...] }]`, one point
// per time bucket (epoch seconds, cut in `timezone`), each with a summary per model and
// channel. Read from the usage series of server/admin/stats.ts.
import { usageSeries, type SeriesRow } from '../admin/stats.ts';
import { nanoToUsd } from '../billing/money.ts';
import type { Gateway } from '../context.ts';
import { ApiError } from './envelope.ts';
import { parseTimestamp, parseTimezone } from './time.ts';

const DAY_MS = 24 * 3_600_000;
const SPANS = ['minute', 'hour', 'day'] as const;
/** Minute buckets come from call_logs only: keep their range short. */
const MAX_MINUTE_RANGE_MS = 7 * DAY_MS;

function summaryItem(r: SeriesRow) {
  return {
    channel_id: r.channelId,
    model: r.model,
    request_count: r.calls,
    exception_count: r.errors,
    used_amount: Number(nanoToUsd(r.cost)),
    total_time_milliseconds: r.latencyMsSum,
    total_ttfb_milliseconds: r.ttftMsSum ?? 0,
    input_tokens: r.promptTokens,
    output_tokens: r.completionTokens,
    total_tokens: r.promptTokens + r.completionTokens,
    cached_tokens: r.cachedTokens,
    cache_creation_tokens: r.cacheWriteTokens,
    // Peaks and cache hits are known for ranges read from call_logs (up to 7 days).
    max_rpm: r.maxRpm ?? 0,
    max_tpm: r.maxTpm ?? 0,
    cache_hit_count: r.cacheHits ?? 0,
  };
}

export async function dashboardV2(gw: Gateway, q: URLSearchParams) {
  const end = parseTimestamp(q.get('end_timestamp'), 'end_timestamp') ?? new Date();
  const start = parseTimestamp(q.get('start_timestamp'), 'start_timestamp') ?? new Date(end.getTime() - 7 * DAY_MS);
  if (start > end) throw new ApiError(400, 'start_timestamp must not be after end_timestamp');
  const rawSpan = q.get('timespan') || 'day';
  if (rawSpan === 'month') throw new ApiError(400, 'timespan month is not supported; use day, hour or minute');
  if (!(SPANS as readonly string[]).includes(rawSpan)) throw new ApiError(400, `timespan must be day, hour or minute, got "${rawSpan}"`);
  const span = rawSpan as (typeof SPANS)[number];
  if (span === 'minute' && end.getTime() - start.getTime() > MAX_MINUTE_RANGE_MS) {
    throw new ApiError(400, 'timespan minute covers at most 7 days; use hour or day for longer ranges');
  }
  const channelRaw = q.get('channel');
  let channelId: number | undefined;
  if (channelRaw) {
    if (!/^\d{1,10}$/.test(channelRaw)) throw new ApiError(400, `channel must be a channel id, got "${channelRaw}"`);
    channelId = Number(channelRaw) || undefined;
  }
  const rows = await usageSeries(gw.db.db, {
    from: start, to: new Date(end.getTime() + 1), span, timezone: parseTimezone(q.get('timezone')),
    model: q.get('model') || undefined, channelId,
  });
  const points: Array<{ timestamp: number; summary: ReturnType<typeof summaryItem>[] }> = [];
  for (const r of rows) {
    let last = points.at(-1);
    if (!last || last.timestamp !== r.ts) points.push((last = { timestamp: r.ts, summary: [] }));
    last.summary.push(summaryItem(r));
  }
  return points;
}
