// The call log: filtered keyset pages, one call's detail with its captured bodies, and the
// log settings (retention, body capture). A `user` principal sees only its own calls
// (ownerFilter); the CSV export is GET /api/logs/export.csv (server/admin/logs-export.ts).
import { saveSettings } from '../state/save-settings.ts';
import { TRPCError } from '@trpc/server';
import * as v from 'valibot';
import { runLogMaintenance } from '../logs/maintenance.ts';
import { asLogRow, listLogs, LogPageInput } from '../logs/query.ts';
import { LOG_DEFAULTS, type LogSettings, LogSettingsPatch, logSettingKey } from '../logs/settings.ts';
import { BigId } from './schemas.ts';
import { adminProcedure, mutate, ownerFilter, router, userProcedure } from './trpc.ts';

const LogId = v.object({
  id: BigId('a log id'),
  /** The row's created_at, when known: lets Postgres look in one day's partition. */
  createdAt: v.optional(v.date()),
});

export const logsRouter = router({
  /** Newest first; pass `nextCursor` back as `cursor` for the next page. */
  list: userProcedure.input(LogPageInput).query(({ ctx, input }) => listLogs(ctx.gw.db.db, input, ownerFilter(ctx))),

  /** One call with its captured request/response (redacted), if capture was on for it. */
  get: userProcedure.input(LogId).query(async ({ ctx, input }) => {
    const owner = ownerFilter(ctx);
    let q = ctx.gw.db.db.selectFrom('call_logs').selectAll().where('id', '=', input.id);
    if (input.createdAt) q = q.where('created_at', '=', input.createdAt);
    if (owner !== null) q = q.where('user_id', '=', owner);
    const log = await q.executeTakeFirst();
    if (!log) throw new TRPCError({ code: 'NOT_FOUND', message: `No call log #${input.id}.` });
    const bodies = await ctx.gw.db.db.selectFrom('call_bodies')
      .select(['request_headers', 'request', 'response', 'request_bytes', 'response_bytes', 'truncated'])
      .where('request_id', '=', log.request_id).where('created_at', '=', log.created_at).executeTakeFirst();
    return { log: asLogRow(log, owner), bodies: bodies ?? null };
  }),

  settings: adminProcedure.query(({ ctx }) => ({ values: ctx.gw.logSettings.current, defaults: LOG_DEFAULTS })),

  setSettings: adminProcedure.input(LogSettingsPatch).mutation(({ ctx, input }) => mutate(ctx, async () => {
    const entries = Object.entries(input).filter(([, val]) => val !== undefined) as Array<[keyof LogSettings, unknown]>;
    await saveSettings(ctx.gw.db.db, Object.fromEntries(entries.map(([name, value]) => [logSettingKey(name), value])));
    return { updated: entries.map(([name]) => name) };
  }).then((r) => ({ ...r, values: ctx.gw.logSettings.current }))),

  /** Create upcoming partitions and apply retention now (it also runs hourly); null if another instance is at it. */
  maintain: adminProcedure.mutation(({ ctx }) => runLogMaintenance(ctx.gw)),
});
