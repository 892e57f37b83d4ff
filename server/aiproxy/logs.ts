// Call logs in AI Proxy's shape (core/controller/log.go, model/log.go): `logs/search` pages
// (`p` or `page`, `per_page`) of calls that reached a channel, newest first, with `total`;
// `logs/detail/:id` answers the captured bodies. Filters go through the call log's own
// filter (server/logs/query.ts). Times are epoch milliseconds, as AI Proxy sends them.
import { sql } from 'kysely';
import type { CallLog } from '../../db/schema.ts';
import { nanoToUsd } from '../billing/money.ts';
import type { Gateway } from '../context.ts';
import { applyFilter, type LogFilter } from '../logs/query.ts';
import { ApiError } from './envelope.ts';
import { parseTimestamp } from './time.ts';

const WEEK_MS = 7 * 24 * 3_600_000;
const MAX_PER_PAGE = 500;

// AI Proxy's relay modes (core/relay/mode/define.go) by our endpoint names.
const MODE: Record<string, number> = {
  'chat/completions': 1, completions: 2, embeddings: 3, moderations: 4, 'images/generations': 5, 'images/edits': 6,
  'audio/speech': 7, 'audio/transcriptions': 8, 'audio/translations': 9, rerank: 10, messages: 12,
  responses: 16, generateContent: 21, streamGenerateContent: 21,
};

/** The request path AI Proxy logs as `endpoint`. */
function endpointPath(name: string, model: string): string {
  if (name === 'generateContent' || name === 'streamGenerateContent') return `/v1beta/models/${model}:${name}`;
  return `/v1/${name}`;
}

function intParam(q: URLSearchParams, name: string, min: number, max: number): number | undefined {
  const raw = q.get(name);
  if (raw === null || raw === '') return undefined;
  if (!/^-?\d+$/.test(raw)) throw new ApiError(400, `${name} must be an integer, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ApiError(400, `${name} must be between ${min} and ${max}`);
  return n;
}

/** One row as AI Proxy's Log marshals it; FastGPT computes the duration as created_at − request_at. */
function logView(row: CallLog, tokenNames: Map<number, string>) {
  const startedMs = row.created_at.getTime();
  const retries = Math.max(0, row.attempts.length - 1);
  return {
    id: Number(row.id),
    request_id: row.request_id,
    request_at: startedMs,
    created_at: startedMs + row.latency_ms,
    model: row.model,
    channel: row.channel_id!,
    token_id: row.key_id ?? 0,
    token_name: row.key_id !== null ? (tokenNames.get(row.key_id) ?? '') : '',
    mode: MODE[row.endpoint] ?? 0,
    endpoint: endpointPath(row.endpoint, row.model),
    code: row.status,
    ...(row.error_message ? { content: row.error_message } : {}),
    ip: row.client_ip ?? '',
    retry_times: retries,
    ...(row.ttft_ms !== null ? { ttfb_milliseconds: row.ttft_ms } : {}),
    usage: {
      input_tokens: row.prompt_tokens,
      output_tokens: row.completion_tokens,
      total_tokens: row.prompt_tokens + row.completion_tokens,
      cached_tokens: row.cached_tokens,
      cache_creation_tokens: row.cache_write_tokens,
      reasoning_tokens: row.reasoning_tokens,
    },
    used_amount: Number(nanoToUsd(BigInt(row.cost))),
    unpriced: row.unpriced,
    upstream_model: row.upstream_model ?? row.model,
    stream: row.stream,
  };
}

/** `GET /api/logs/search`. */
export async function searchLogs(gw: Gateway, q: URLSearchParams) {
  const end = parseTimestamp(q.get('end_timestamp'), 'end_timestamp') ?? new Date();
  const start = parseTimestamp(q.get('start_timestamp'), 'start_timestamp') ?? new Date(end.getTime() - WEEK_MS);
  const page = intParam(q, 'p', 1, 1_000_000) ?? intParam(q, 'page', 1, 1_000_000) ?? 1;
  // Like AI Proxy, a page larger than the cap is cut to it rather than refused.
  const perPage = Math.min(intParam(q, 'per_page', 1, 1_000_000) ?? 10, MAX_PER_PAGE);
  const codeType = q.get('code_type') || 'all';
  if (!['all', 'success', 'error'].includes(codeType)) throw new ApiError(400, `code_type must be all, success or error, got "${codeType}"`);
  const channel = intParam(q, 'channel', 0, 2_147_483_647);
  const code = intParam(q, 'code', 0, 999);
  const filter: LogFilter = {
    from: start,
    // AI Proxy's range is inclusive of its end.
    to: new Date(end.getTime() + 1),
    model: q.get('model_name') || undefined,
    channelId: channel || undefined,
    requestId: q.get('request_id') || undefined,
    status: codeType === 'success' ? 'ok' : codeType === 'error' ? 'error' : undefined,
  };
  const { db } = gw.db;
  // AI Proxy logs carry the channel that served them; calls refused before routing have none.
  let base = applyFilter(db.selectFrom('call_logs'), filter, null).where('channel_id', 'is not', null);
  if (code) base = base.where('status', '=', code);
  if (q.get('ip')) base = base.where('client_ip', '=', q.get('ip')!);
  const [rows, count] = await Promise.all([
    base.selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(perPage).offset((page - 1) * perPage).execute(),
    base.select(sql<string>`count(*)`.as('n')).executeTakeFirstOrThrow(),
  ]);
  const keyIds = [...new Set(rows.flatMap((r) => (r.key_id === null ? [] : [r.key_id])))];
  const names = new Map<number, string>();
  if (keyIds.length) {
    for (const k of await db.selectFrom('api_keys').select(['id', 'name']).where('id', 'in', keyIds).execute()) names.set(k.id, k.name);
  }
  const logs = rows.map((r) => logView(r, names));
  const total = Number(count.n);
  if (q.get('result_only') === 'true') return { logs, total };
  return { logs, total, channels: [...new Set(logs.map((l) => l.channel))], models: [...new Set(logs.map((l) => l.model))] };
}

/** `GET /api/logs/detail/:id`: the captured bodies; empty strings (and a message) when capture was off for the call. */
export async function logDetail(gw: Gateway, id: string): Promise<{ data: Record<string, unknown>; message: string }> {
  if (!/^\d{1,18}$/.test(id) || BigInt(id) < 1n) throw new ApiError(400, `log id must be a positive integer, got "${id}"`);
  const { db } = gw.db;
  const log = await db.selectFrom('call_logs').select(['request_id', 'created_at']).where('id', '=', id).executeTakeFirst();
  if (!log) throw new ApiError(404, `log ${id} not found: record not found`);
  const bodies = await db.selectFrom('call_bodies').select(['request', 'response', 'truncated'])
    .where('request_id', '=', log.request_id).where('created_at', '=', log.created_at).executeTakeFirst();
  const data = {
    id: Number(id),
    log_id: Number(id),
    request_body: bodies?.request ?? '',
    response_body: bodies?.response ?? '',
    request_body_truncated: bodies?.truncated ?? false,
    response_body_truncated: bodies?.truncated ?? false,
  };
  return {
    data,
    message: bodies ? '' : 'No bodies were captured for this call: body capture is off for its key and model (console → Logs → settings).',
  };
}
