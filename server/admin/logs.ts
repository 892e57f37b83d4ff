import { LogQuery } from './schemas.ts';
import { adminProcedure, router } from './trpc.ts';

export const logsRouter = router({
  /** Newest first, keyset-paginated by id. */
  list: adminProcedure.input(LogQuery).query(async ({ ctx, input }) => {
    let q = ctx.gw.db.db.selectFrom('call_logs').selectAll().orderBy('id', 'desc').limit(input.limit);
    if (input.before) q = q.where('id', '<', input.before);
    if (input.model) q = q.where('model', '=', input.model);
    if (input.keyId !== undefined) q = q.where('key_id', '=', input.keyId);
    return q.execute();
  }),
});
