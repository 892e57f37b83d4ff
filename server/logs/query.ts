// Call-log filters and keyset pagination, shared by the admin API, the CSV export and the
// benchmark. Pages are ordered newest first by (created_at, id), which every index of
// call_logs ends with, so each filter walks one index and stops after `limit` rows; the
// explicit `created_at` bounds let Postgres prune whole day partitions.
import { type Kysely, type SelectQueryBuilder, sql } from 'kysely';
import * as v from 'valibot';
import type { CallLog, Database } from '../../db/schema.ts';
import { int4, Text } from '../util/fields.ts';
import { INT8_MAX } from '../billing/money.ts';

const id = int4(0);
const time = v.union([v.date(), v.pipe(v.string(), v.isoTimestamp('must be an ISO timestamp'), v.transform((s) => new Date(s)))]);

export const LogFilter = v.object({
  /** created_at >= from */
  from: v.optional(time),
  /** created_at < to */
  to: v.optional(time),
  model: v.optional(v.pipe(Text, v.trim(), v.nonEmpty())),
  keyId: v.optional(id),
  userId: v.optional(id),
  /** A username (exact): the console's "User" filter, and the CSV export's. */
  user: v.optional(v.pipe(Text, v.trim(), v.nonEmpty(), v.maxLength(100))),
  channelId: v.optional(id),
  /** ok: status < 400; 4xx; 5xx; error: any status >= 400. */
  status: v.optional(v.picklist(['ok', '4xx', '5xx', 'error'])),
  stream: v.optional(v.boolean()),
  /** Case-insensitive substring of the error message. */
  q: v.optional(v.pipe(Text, v.trim(), v.minLength(2, 'search at least 2 characters'), v.maxLength(200))),
  requestId: v.optional(v.pipe(Text, v.trim(), v.nonEmpty())),
});
export type LogFilter = v.InferOutput<typeof LogFilter>;

export const LogPageInput = v.object({
  ...LogFilter.entries,
  limit: v.optional(int4(1, 500), 50),
  /** `nextCursor` of the previous page: epoch microseconds (a date JS and Postgres can hold) and an int8 id. */
  cursor: v.optional(v.pipe(
    v.string(),
    v.regex(/^\d{1,18}\.\d{1,19}$/, 'must be a cursor returned by the previous page'),
    v.check((s) => !/^\d+\.\d{19}$/.test(s) || BigInt(s.split('.')[1]!) <= INT8_MAX, 'must be a cursor returned by the previous page'),
  )),
});
export type LogPageInput = v.InferOutput<typeof LogPageInput>;

export interface LogPage {
  rows: CallLog[];
  /** Pass back as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

type LogQuery = SelectQueryBuilder<Database, 'call_logs', object>;

/** ILIKE pattern for a plain substring: the user's % and _ are literal. */
const searchPattern = (q: string) => `%${q.replace(/[\\%_]/g, '\\$&')}%`;

/** Restrict to the filter, and to `owner`'s rows when the viewer is a plain user. */
export function applyFilter<Q extends LogQuery>(q: Q, f: LogFilter, owner: number | null): Q {
  let r = q as LogQuery;
  if (owner !== null) r = r.where('user_id', '=', owner);
  if (f.from) r = r.where('created_at', '>=', f.from);
  if (f.to) r = r.where('created_at', '<', f.to);
  if (f.model !== undefined) r = r.where('model', '=', f.model);
  if (f.keyId !== undefined) r = r.where('key_id', '=', f.keyId);
  if (f.userId !== undefined) r = r.where('user_id', '=', f.userId);
  // No user of that name matches no row (the subquery is NULL), never every row.
  if (f.user !== undefined) r = r.where(sql<boolean>`user_id = (SELECT id FROM users WHERE username = ${f.user})`);
  if (f.channelId !== undefined) r = r.where('channel_id', '=', f.channelId);
  if (f.stream !== undefined) r = r.where('stream', '=', f.stream);
  if (f.requestId !== undefined) r = r.where('request_id', '=', f.requestId);
  // Error classes are written as `status >= 400 AND …` so the partial index of failed calls applies.
  if (f.status === 'ok') r = r.where('status', '<', 400);
  if (f.status === '4xx') r = r.where('status', '>=', 400).where('status', '<', 500);
  if (f.status === '5xx') r = r.where('status', '>=', 500);
  if (f.status === 'error' || f.q !== undefined) r = r.where('status', '>=', 400);
  if (f.q !== undefined) r = r.where('error_message', 'ilike', searchPattern(f.q));
  return r as Q;
}

/** Drivers return int8 ids as bigint; the API's ids are strings (as the schema types them). */
/**
 * A row as the API returns it. `owner` set (a `user` principal): the operator's upstream cost
 * price is not theirs to see.
 */
export const asLogRow = (row: CallLog, owner: number | null = null): CallLog => ({ ...row, id: String(row.id), ...(owner !== null ? { upstream_cost: null } : {}) });

/** Cursor: created_at in epoch microseconds (exact, whatever the column's precision) and id. */
function decodeCursor(cursor: string): { at: string; id: string } {
  const [us, id] = cursor.split('.') as [string, string];
  const n = BigInt(us);
  const ms = Number(n / 1000n);
  const iso = new Date(ms).toISOString();
  return { at: `${iso.slice(0, 23)}${(n % 1000n).toString().padStart(3, '0')}Z`, id };
}

/** Failed calls walked newest first before an error-text search falls back to the trigram index. */
const SEARCH_WINDOW = 20_000;

/** One page, newest first. */
export async function listLogs(db: Kysely<Database>, input: LogPageInput, owner: number | null): Promise<LogPage> {
  const page = (q: LogFilter['q']) => {
    let sel = applyFilter(db.selectFrom('call_logs'), { ...input, q }, owner);
    if (input.cursor) {
      const c = decodeCursor(input.cursor);
      // The plain bound prunes partitions; the row comparison is the exact keyset condition.
      sel = sel.where('created_at', '<=', sql<Date>`${c.at}::timestamptz`)
        .where(sql<boolean>`(created_at, id) < (${c.at}::timestamptz, ${c.id}::int8)`);
    }
    return sel.orderBy('created_at', 'desc').orderBy('id', 'desc');
  };
  const cursorOf = sql<string>`(extract(epoch from created_at) * 1000000)::int8::text`.as('at_us');
  let found: Array<CallLog & { at_us: string }> = [];
  if (input.q !== undefined) {
    // A common term fills the page from the newest failed calls; only a rarer one needs the
    // trigram index (whose row estimates are too rough for the planner to choose well).
    const recent = page(undefined).selectAll().limit(SEARCH_WINDOW).as('recent');
    found = await db.selectFrom(recent).selectAll().select(cursorOf)
      .where('error_message', 'ilike', searchPattern(input.q))
      .orderBy('created_at', 'desc').orderBy('id', 'desc').limit(input.limit + 1).execute();
  }
  if (found.length <= input.limit) found = await page(input.q).selectAll().select(cursorOf).limit(input.limit + 1).execute();
  const more = found.length > input.limit;
  const rows = more ? found.slice(0, input.limit) : found;
  const last = rows.at(-1);
  return {
    rows: rows.map(({ at_us: _cursor, ...row }) => asLogRow(row, owner)),
    nextCursor: more && last ? `${last.at_us}.${last.id}` : null,
  };
}
