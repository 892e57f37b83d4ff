// GET /api/billing/margin.csv?from=…&to=…&by=channel|model|user|day[&channelId&model&userId]:
// billing.margin as a CSV download (server/billing/margin.ts). Admins, root and ADMIN_KEY only.
import { Elysia } from 'elysia';
import * as v from 'valibot';
import { allows } from '../auth/principal.ts';
import { MarginBy, marginCsv, marginReport } from '../billing/margin.ts';
import type { Gateway } from '../context.ts';
import { csvDownload, parsedQuery, problem, signedIn } from './download.ts';

const When = v.pipe(v.string(), v.transform((x) => new Date(x)), v.check((d) => !Number.isNaN(d.getTime()), 'must be a date or ISO timestamp'));
const IdParam = v.pipe(v.string(), v.regex(/^\d{1,9}$/, 'must be a positive integer'), v.transform(Number));
const Query = v.object({ from: When, to: When, by: MarginBy, channelId: v.optional(IdParam), model: v.optional(v.pipe(v.string(), v.maxLength(500))), userId: v.optional(IdParam) });

export function marginCsvPlugin(gw: Gateway) {
  return new Elysia({ name: 'margin-csv' }).get('/api/billing/margin.csv', async ({ request, server }) => {
    const ctx = await signedIn(gw, request, server);
    if (ctx instanceof Response) return ctx;
    if (!allows(ctx.principal, 'admin')) return problem(403, 'The margin report needs the admin role.');
    const q = parsedQuery(Query, Object.fromEntries(new URL(request.url).searchParams), 'query');
    if (q instanceof Response) return q;
    return csvDownload(marginCsv(q.by, await marginReport(gw.db.db, q)), `switchboard-margin-by-${q.by}.csv`);
  }, { parse: 'none' });
}
