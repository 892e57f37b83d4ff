// GET /api/logs/export.csv?from=…&to=…&model=…: the filtered call log as a CSV download.
// Same credentials and scoping as the admin API: a `user` principal exports only its own calls.
import { Elysia } from 'elysia';
import * as v from 'valibot';
import { createAdminContext } from './plugin.ts';
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

const problem = (status: number, message: string, fields?: Record<string, string>) =>
  Response.json({ error: { message, ...(fields ? { fields } : {}) } }, { status });

export function logsHttpPlugin(gw: Gateway) {
  return new Elysia({ name: 'logs-http' }).get('/api/logs/export.csv', async ({ request, server }) => {
    const ctx = await createAdminContext(gw, request, gw.clientAddress.of(server, request));
    if (!ctx.principal) return problem(401, ctx.authProblem ?? 'Sign in, or send Authorization: Bearer <ADMIN_KEY or a personal access token>.');
    const parsed = v.safeParse(LogFilter, filterInput(new URL(request.url).searchParams));
    if (!parsed.success) {
      return problem(400, 'Invalid filter.', Object.fromEntries(parsed.issues.map((i) => [v.getDotPath(i) ?? '_', i.message])));
    }
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    return new Response(exportCsv(gw.db.db, parsed.output, ownerFilter({ principal: ctx.principal })), {
      headers: {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="switchboard-calls-${stamp}.csv"`,
        'cache-control': 'no-store',
      },
    });
  }, { parse: 'none' });
}
