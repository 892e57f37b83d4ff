// The hourly rollups (usage_hourly, usage_hourly_models) of the call-log rows one commit
// inserted, summed in JS and written by one upsert in the same transaction as the rows
// (server/logs/writer.ts), so they stay exact and atomic with them. The writer marks its
// transaction with ROLLUP_SETTING and the rollup trigger on call_logs skips it; every other
// writer of call_logs (importer, ad-hoc SQL) still goes through the trigger
// (db/migrations/006_log_rollups_in_writer.ts). The sums are the trigger's, to the row.
import { sql } from 'kysely';
import type { NewCallLog } from '../../db/schema.ts';
import { LATENCY_BOUNDS_MS, LATENCY_BUCKETS } from './latency-histogram.ts';
import { arrayLiteral, pgText } from './pg-array.ts';

/** Transaction-local setting: 'writer' while the log writer rolls up its own rows. */
export const ROLLUP_SETTING = 'switchboard.rollups';

const HOUR_MS = 3_600_000;

/** What a rollup row is keyed by (key and user 0 in usage_hourly_models). */
interface Group {
  hour: number;
  model: string;
  channel: number;
  key: number;
  user: number;
}

interface Sums extends Group {
  calls: number;
  e4: number;
  e5: number;
  prompt: number;
  completion: number;
  cached: number;
  cacheWrite: number;
  reasoning: number;
  cost: bigint;
  latency: number;
  hist: number[];
}

/** Each summed column of the rollup tables and the field of Sums it takes. */
const SUMMED = [
  ['calls', 'calls'], ['errors_4xx', 'e4'], ['errors_5xx', 'e5'], ['prompt_tokens', 'prompt'], ['completion_tokens', 'completion'],
  ['cached_tokens', 'cached'], ['cache_write_tokens', 'cacheWrite'], ['reasoning_tokens', 'reasoning'], ['cost', 'cost'], ['latency_ms_sum', 'latency'],
] as const satisfies ReadonlyArray<readonly [string, keyof Sums]>;

const bucketOf = (ms: number): number => {
  for (let i = 0; i < LATENCY_BOUNDS_MS.length; i++) if (ms <= LATENCY_BOUNDS_MS[i]!) return i;
  return LATENCY_BOUNDS_MS.length;
};

function add(groups: Map<string, Sums>, k: string, group: () => Group, r: NewCallLog): void {
  let g = groups.get(k);
  if (!g) {
    g = { ...group(), calls: 0, e4: 0, e5: 0, prompt: 0, completion: 0, cached: 0, cacheWrite: 0, reasoning: 0, cost: 0n, latency: 0, hist: new Array(LATENCY_BUCKETS).fill(0) };
    groups.set(k, g);
  }
  const latency = r.latency_ms ?? 0;
  g.calls++;
  if (r.status >= 400 && r.status <= 499) g.e4++;
  if (r.status >= 500) g.e5++;
  g.prompt += r.prompt_tokens ?? 0;
  g.completion += r.completion_tokens ?? 0;
  g.cached += r.cached_tokens ?? 0;
  g.cacheWrite += r.cache_write_tokens ?? 0;
  g.reasoning += r.reasoning_tokens ?? 0;
  g.cost += BigInt(r.cost ?? 0);
  g.latency += latency;
  g.hist[bucketOf(latency)]!++;
}

/** The rollup rows of `rows`: per (hour, model, channel, key, user) and per (hour, model, channel). */
function rollupRows(rows: readonly NewCallLog[]): { full: Sums[]; models: Sums[] } {
  const full = new Map<string, Sums>();
  const models = new Map<string, Sums>();
  for (const r of rows) {
    const hour = Math.floor(new Date(r.created_at as Date | string).getTime() / HOUR_MS) * HOUR_MS;
    // As stored: Postgres text holds no NUL nor lone surrogates (encodeLog cleans the row the same way).
    const model = pgText(r.model ?? '');
    const channel = r.channel_id ?? 0;
    const key = r.key_id ?? 0;
    const user = r.user_id ?? 0;
    const mk = `${hour}\u0001${channel}\u0001${model}`;
    add(full, `${mk}\u0001${key}\u0001${user}`, () => ({ hour, model, channel, key, user }), r);
    add(models, mk, () => ({ hour, model, channel, key: 0, user: 0 }), r);
  }
  return { full: [...full.values()], models: [...models.values()] };
}

const SUMMED_LIST = sql.raw(SUMMED.map(([c]) => c).join(', '));
const ON_CONFLICT_SET = sql.raw([
  ...SUMMED.map(([c]) => `${c} = u.${c} + EXCLUDED.${c}`),
  'latency_hist = ARRAY(SELECT a + b FROM unnest(u.latency_hist, EXCLUDED.latency_hist) WITH ORDINALITY AS t(a, b, i) ORDER BY i)',
].join(', '));

/** The sums of one group set as unnest()-able typed array parameters (each one text literal, whatever the driver). */
function columns(g: Sums[]) {
  return {
    hour: arrayLiteral(g.map((s) => s.hour / 1000)),
    model: arrayLiteral(g.map((s) => s.model)),
    channel: arrayLiteral(g.map((s) => s.channel)),
    key: arrayLiteral(g.map((s) => s.key)),
    user: arrayLiteral(g.map((s) => s.user)),
    sums: SUMMED.map(([, field]) => arrayLiteral(g.map((s) => s[field]))),
    // One row of the 2-D array per group; unnested back by subscript.
    hist: `{${g.map((s) => arrayLiteral(s.hist)).join(',')}}`,
  };
}

const sumsFrom = (sums: string[]) => sql.join(sums.map((s) => sql`${s}::text::int8[]`));
const HIST = sql.raw(`ARRAY[${Array.from({ length: LATENCY_BUCKETS }, (_, i) => `h[n::int][${i + 1}]`).join(', ')}]::int8[]`);

/** One statement upserting both rollup tables for `rows` (the rows a commit inserted); null for none. */
export function rollupStatement(rows: readonly NewCallLog[]) {
  if (!rows.length) return null;
  const { full, models } = rollupRows(rows);
  const f = columns(full);
  const m = columns(models);
  return sql`
    WITH models AS (
      INSERT INTO usage_hourly_models AS u (hour, model, channel_id, ${SUMMED_LIST}, latency_hist)
      SELECT to_timestamp(hour), model, channel_id, ${SUMMED_LIST}, ${HIST}
      FROM unnest(${m.hour}::text::float8[], ${m.model}::text::text[], ${m.channel}::text::int[], ${sumsFrom(m.sums)})
        WITH ORDINALITY AS r(hour, model, channel_id, ${SUMMED_LIST}, n),
        (SELECT ${m.hist}::text::int8[] AS h) hist
      ORDER BY 1, 2, 3
      ON CONFLICT (hour, model, channel_id) DO UPDATE SET ${ON_CONFLICT_SET}
    )
    INSERT INTO usage_hourly AS u (hour, model, channel_id, key_id, user_id, ${SUMMED_LIST}, latency_hist)
    SELECT to_timestamp(hour), model, channel_id, key_id, user_id, ${SUMMED_LIST}, ${HIST}
    FROM unnest(${f.hour}::text::float8[], ${f.model}::text::text[], ${f.channel}::text::int[], ${f.key}::text::int[], ${f.user}::text::int[], ${sumsFrom(f.sums)})
      WITH ORDINALITY AS r(hour, model, channel_id, key_id, user_id, ${SUMMED_LIST}, n),
      (SELECT ${f.hist}::text::int8[] AS h) hist
    -- In primary-key order, as the trigger did, so concurrent upserts lock rows in one order.
    ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (hour, model, channel_id, key_id, user_id) DO UPDATE SET ${ON_CONFLICT_SET}`;
}
