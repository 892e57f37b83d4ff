// CSV export of any filtered range as a pull stream: one keyset page is read only when the
// client has taken the previous one, so memory stays at one page whatever the range.
import type { Kysely } from 'kysely';
import type { CallLog, Database } from '../../db/schema.ts';
import { nanoToUsd } from '../billing/money.ts';
import { type LogFilter, listLogs } from './query.ts';

const PAGE = 2000;

const COLUMNS: Array<[string, (r: CallLog) => unknown]> = [
  ['id', (r) => r.id],
  ['request_id', (r) => r.request_id],
  ['created_at', (r) => new Date(r.created_at).toISOString()],
  ['user_id', (r) => r.user_id],
  ['key_id', (r) => r.key_id],
  ['channel_id', (r) => r.channel_id],
  ['channels_attempted', (r) => r.attempts.map((a) => a.channel_id).join(' ')],
  ['endpoint', (r) => r.endpoint],
  ['model', (r) => r.model],
  ['upstream_model', (r) => r.upstream_model],
  ['stream', (r) => r.stream],
  ['status', (r) => r.status],
  ['error_type', (r) => r.error_type],
  ['error_message', (r) => r.error_message],
  ['prompt_tokens', (r) => r.prompt_tokens],
  ['completion_tokens', (r) => r.completion_tokens],
  ['cached_tokens', (r) => r.cached_tokens],
  ['cache_write_tokens', (r) => r.cache_write_tokens],
  ['reasoning_tokens', (r) => r.reasoning_tokens],
  ['cost_usd', (r) => nanoToUsd(r.cost)],
  ['latency_ms', (r) => r.latency_ms],
  ['ttft_ms', (r) => r.ttft_ms],
  ['overhead_us', (r) => r.overhead_us],
  ['client_ip', (r) => r.client_ip],
  ['user_agent', (r) => r.user_agent],
  ['estimated', (r) => r.estimated],
  ['affinity', (r) => r.affinity],
];

export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let s = String(value);
  // A cell starting with = + - @ would run as a formula in a spreadsheet.
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

const csvRow = (r: CallLog) => COLUMNS.map(([, get]) => csvCell(get(r))).join(',');

export function exportCsv(db: Kysely<Database>, filter: LogFilter, owner: number | null): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let cursor: string | undefined;
  let started = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const page = await listLogs(db, { ...filter, limit: PAGE, cursor }, owner);
      let text = started ? '' : `${COLUMNS.map(([name]) => name).join(',')}\r\n`;
      started = true;
      for (const r of page.rows) text += `${csvRow(r)}\r\n`;
      controller.enqueue(encoder.encode(text));
      if (!page.nextCursor) controller.close();
      else cursor = page.nextCursor;
    },
  }, { highWaterMark: 0 });
}
