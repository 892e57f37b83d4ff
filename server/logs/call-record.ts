// One served call as the log writer and the crash journal carry it: its settlement fields
// (who pays, what it cost) around its call_logs row, the row's encoding as the positional
// JSON array the journal stores as one line (server/logs/journal.ts), and a batch's rows as
// the writer sends them (server/logs/writer.ts): COPY text on a first try, typed column
// arrays on a retry or replay. Both import this; neither imports the other.
import { copyText } from '../../db/copy.ts';
import type { NewCallLog } from '../../db/schema.ts';
import type { CapturedBodies } from './capture.ts';
import { arrayElement, pgText } from './pg-array.ts';

export interface Settled {
  log: NewCallLog;
  userId: number | null;
  keyId: number | null;
  channelId: number | null;
  cost: bigint;
  /** Request/response bodies when capture is on for this key or model. */
  bodies?: CapturedBodies | null;
}

/** A queued call: its log row already encoded as the journal's JSON (see encodeSettled). */
export interface Queued extends Settled {
  json: string;
}

// The columns of call_logs the writer fills, in the order of the journal's positional
// arrays (no repeated keys) and of the writer's unnest() arrays.
export const LOG_COLUMNS = [
  ['request_id', 'text'], ['created_at', 'timestamptz'], ['user_id', 'int'], ['key_id', 'int'], ['channel_id', 'int'],
  ['attempts', 'jsonb'], ['endpoint', 'text'], ['model', 'text'], ['upstream_model', 'text'], ['stream', 'bool'],
  ['status', 'smallint'], ['error_type', 'text'], ['error_message', 'text'], ['prompt_tokens', 'int'],
  ['completion_tokens', 'int'], ['cached_tokens', 'int'], ['cache_write_tokens', 'int'], ['reasoning_tokens', 'int'],
  ['cost', 'int8'], ['latency_ms', 'int'], ['ttft_ms', 'int'], ['overhead_us', 'int'], ['client_ip', 'text'],
  ['user_agent', 'text'], ['estimated', 'bool'], ['unpriced', 'bool'], ['affinity', 'text'], ['upstream_cost', 'int8'],
] as const satisfies ReadonlyArray<readonly [keyof NewCallLog, string]>;
export const LOG_KEYS = LOG_COLUMNS.map(([name]) => name);
const COST = LOG_KEYS.indexOf('cost');
const UNPRICED = LOG_KEYS.indexOf('unpriced');
const UPSTREAM_COST = LOG_KEYS.indexOf('upstream_cost');

/** Strings as Postgres text holds them (pg-array.ts), money as text. */
const forPostgres = (_k: string, v: unknown) => (typeof v === 'bigint' ? v.toString() : typeof v === 'string' ? pgText(v) : v);
/** JSON.stringify escapes exactly those as \u0000 and \udXXX (a surrogate pair stays raw). */
const NEEDS_CLEANING = /\\u(0000|d[89a-f])/i;

/**
 * JSON text as Postgres takes it (no \u0000, no lone surrogate), with no replacer in the
 * common case (a replacer runs for every value and costs more than the rest).
 */
function jsonText(v: unknown): string {
  const json = JSON.stringify(v);
  return json.includes('\\u') && NEEDS_CLEANING.test(json) ? JSON.stringify(v, forPostgres) : json;
}

/** Column `c` of LOG_COLUMNS as every encoding below writes it: money defaulted, unpriced a boolean. */
function columnValue(log: NewCallLog, c: number): unknown {
  // Journal lines written before `unpriced` existed have none: not unpriced.
  return c === COST ? (log.cost ?? 0n) : c === UNPRICED ? log.unpriced === true : log[LOG_KEYS[c]!];
}

/** A log row as the journal's positional JSON array (LOG_COLUMNS order), once per call. */
export function encodeLog(log: NewCallLog): string {
  const values: unknown[] = LOG_KEYS.map((_k, c) => columnValue(log, c));
  values[COST] = String(values[COST]);
  if (log.upstream_cost != null) values[UPSTREAM_COST] = String(log.upstream_cost);
  return jsonText(values);
}

/**
 * The rows as one Postgres array literal per column (LOG_COLUMNS order), for
 * `unnest($1::text::text[], $2::text::timestamptz[], …)`: Postgres reads typed arrays for
 * about a third less CPU per row than it spends expanding the same rows from one jsonb array
 * (bench/log-insert.ts). Values as encodeLog writes them.
 */
export function encodeColumns(logs: readonly NewCallLog[]): string[] {
  const out: string[] = [];
  for (let c = 0; c < LOG_KEYS.length; c++) {
    let s = '{';
    for (let i = 0; i < logs.length; i++) {
      const v = columnValue(logs[i]!, c);
      s += (i ? ',' : '') + arrayElement(v !== null && typeof v === 'object' && !(v instanceof Date) ? jsonText(v) : v);
    }
    out.push(`${s}}`);
  }
  return out;
}
export const LOG_COLUMN_TYPES: readonly string[] = LOG_COLUMNS.map(([, type]) => type);

/** How encodeCopyRows writes each column of LOG_COLUMNS. */
const enum Field { Text, Number, Bool, Time, Json }
const FIELDS: readonly Field[] = LOG_COLUMNS.map(([, type]) =>
  type === 'text' ? Field.Text : type === 'bool' ? Field.Bool : type === 'timestamptz' ? Field.Time : type === 'jsonb' ? Field.Json : Field.Number);
/** Text that COPY must escape or Postgres cannot hold (NUL, any surrogate: a lone one is replaced). */
const TEXT_TO_CLEAN = /[\\\t\n\r\u0000\ud800-\udfff]/;

/**
 * The rows as COPY's text format (db/copy.ts), one line per row in LOG_COLUMNS order (after
 * each row's id when `ids` are given): what the writer sends on a first try. Postgres parses
 * a row of it for less CPU than the same row as elements of the typed arrays above, and
 * building it costs less JS too (bench/log-insert.ts). Values as encodeLog writes them.
 */
export function encodeCopyRows(logs: readonly NewCallLog[], ids?: readonly string[]): string {
  let out = '';
  for (let i = 0; i < logs.length; i++) {
    const log = logs[i]!;
    let line = ids ? `${ids[i]}\t` : '';
    for (let c = 0; c < FIELDS.length; c++) {
      if (c) line += '\t';
      const v = columnValue(log, c);
      if (v === null || v === undefined) {
        line += '\\N';
        continue;
      }
      switch (FIELDS[c]) {
        case Field.Text: {
          const s = String(v);
          line += TEXT_TO_CLEAN.test(s) ? copyText(pgText(s)) : s;
          break;
        }
        case Field.Number: line += String(v); break;
        case Field.Bool: line += v ? 't' : 'f'; break;
        case Field.Time: line += (v instanceof Date ? v : new Date(v as string)).toISOString(); break;
        // JSON text holds no raw tab, newline or CR; its backslashes are COPY's to escape.
        default: { const json = jsonText(v); line += json.includes('\\') ? copyText(json) : json; }
      }
    }
    out += `${line}\n`;
  }
  return out;
}

/** A log row back from its encoded array (journal replay): money as bigint, the start time a Date. */
function decodeLog(values: unknown[]): NewCallLog {
  const log = Object.fromEntries(LOG_KEYS.map((k, i) => [k, values[i]])) as unknown as NewCallLog & { cost: string; created_at: string; upstream_cost?: string | null };
  // Rows journalled before a column existed read it as null.
  return { ...log, cost: BigInt(log.cost), affinity: log.affinity ?? null, upstream_cost: log.upstream_cost == null ? null : BigInt(log.upstream_cost), created_at: new Date(log.created_at) };
}

/** One journal line: the call's settlement fields around its already-encoded log row. */
export function encodeSettled(q: Queued): string {
  const bodies = q.bodies ? JSON.stringify(q.bodies, forPostgres) : 'null';
  return `{"userId":${q.userId},"keyId":${q.keyId},"channelId":${q.channelId},"cost":"${q.cost}","bodies":${bodies},"log":${q.json}}`;
}

/** A journal line back into a queued call (money as bigint, the start time as a Date). */
export function decodeSettled(line: string): Queued {
  const raw = JSON.parse(line) as Omit<Settled, 'cost' | 'log'> & { cost: string; log: unknown[] | Record<string, unknown> };
  // Journals written before rows were positional hold the row as an object.
  const log = decodeLog(Array.isArray(raw.log) ? raw.log : LOG_KEYS.map((k) => (raw.log as Record<string, unknown>)[k]));
  return { ...raw, cost: BigInt(raw.cost), log, json: encodeLog(log) };
}
