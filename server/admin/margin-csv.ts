// GET /api/billing/margin.csv?from=…&to=…&by=channel|model|user|day[&channelId&model&userId]:
// billing.margin as a CSV download (server/billing/margin.ts). Admins, root and ADMIN_KEY only.
import { Elysia } from 'elysia';
import * as v from 'valibot';
import { allows } from '../auth/principal.ts';
import { MarginBy, marginCsv, marginReport } from '../billing/margin.ts';
import type { Gateway } from '../context.ts';
import { createAdminContext } from './plugin.ts';

const When = v.pipe(v.string(), v.transform((x) => new Date(x)), v.check((d) => !Number.isNaN(d.getTime()), 'must be a date or ISO timestamp'));
const IdParam = v.pipe(v.string(), v.regex(/^\d{1,9}$/, 'must be a positive integer'), v.transform(Number));
const Query = v.object({ from: When, to: When, by: MarginBy, channelId: v.optional(IdParam), model: v.optional(v.pipe(v.string(), v.maxLength(500))), userId: v.optional(IdParam) });

const problem = (status: number, message: string, fields?: Record<string, string>) =>
  Response.json({ error: { message, ...(fields ? { fields } : {}) } }, { status });

export function marginCsvPlugin(gw: Gateway) {
  return new Elysia({ name: 'margin-csv' }).get('/api/billing/margin.csv', async ({ request, server }) => {
    const ctx = await createAdminContext(gw, request, gw.clientAddress.of(server, request));
    if (!ctx.principal) return problem(401, ctx.authProblem ?? 'Sign in, or send Authorization: Bearer <ADMIN_KEY or a personal access token>.');
    if (!allows(ctx.principal, 'admin')) return problem(403, 'The margin report needs the admin role.');
    const parsed = v.safeParse(Query, Object.fromEntries(new URL(request.url).searchParams));
    if (!parsed.success) return problem(400, 'Invalid query.', Object.fromEntries(parsed.issues.map((i) => [v.getDotPath(i) ?? '_', i.message])));
    const q = parsed.output;
    const csv = marginCsv(q.by, await marginReport(gw.db.db, q));
    return new Response(csv, {
      headers: {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="switchboard-margin-by-${q.by}.csv"`,
        'cache-control': 'no-store',
      },
    });
  }, { parse: 'none' });
}
