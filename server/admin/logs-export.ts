// GET /api/logs/export.csv?from=…&to=…&model=…: the filtered call log as a CSV download.
// Same credentials and scoping as the admin API: a `user` principal exports only its own calls.
import { Elysia } from 'elysia';
import { csvDownload, parsedQuery, signedIn } from './download.ts';
import { ownerFilter } from './trpc.ts';
import type { Gateway } from '../context.ts';
import { exportCsv } from '../logs/export-csv.ts';
import { LogFilter } from '../logs/query.ts';

const NUMERIC = new Set(['keyId', 'userId', 'channelId']);

/** Query-string values → the typed filter input (numbers and booleans), validated by LogFilter. */
function filterInput(params: URLSearchParams): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, val] of params) {
    if (NUMERIC.has(k)) out[k] = /^\d+$/.test(val) ? Number(val) : val;
    else if (k === 'stream') out[k] = val === 'true' ? true : val === 'false' ? false : val;
    else out[k] = val;
  }
  return out;
}

export function logsHttpPlugin(gw: Gateway) {
  return new Elysia({ name: 'logs-http' }).get('/api/logs/export.csv', async ({ request, server }) => {
    const ctx = await signedIn(gw, request, server);
    if (ctx instanceof Response) return ctx;
    const filter = parsedQuery(LogFilter, filterInput(new URL(request.url).searchParams), 'filter');
    if (filter instanceof Response) return filter;
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    return csvDownload(exportCsv(gw.db.db, filter, ownerFilter({ principal: ctx.principal })), `switchboard-calls-${stamp}.csv`);
  }, { parse: 'none' });
}
