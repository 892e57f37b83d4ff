// audit.list: the trail of admin mutations, newest first (rows are written by the audit
// middleware in trpc.ts with secrets already masked).
import * as v from 'valibot';
import { BigId, int4, Text } from './schemas.ts';
import { adminProcedure, router } from './trpc.ts';

const AuditQuery = v.optional(v.object({
  limit: v.optional(int4(1, 1000), 100),
  /** Keyset pagination: rows with a smaller id. */
  before: v.optional(BigId('an audit row id')),
  actorUserId: v.optional(int4()),
  /** A procedure path (`users.update`) or a domain prefix (`users.`). */
  action: v.optional(v.pipe(Text, v.trim(), v.nonEmpty())),
  target: v.optional(v.pipe(Text, v.trim(), v.nonEmpty())),
}), {});

export const auditRouter = router({
  list: adminProcedure.input(AuditQuery).query(async ({ ctx, input }) => {
    let q = ctx.gw.db.db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(input.limit);
    if (input.before) q = q.where('id', '<', input.before);
    if (input.actorUserId !== undefined) q = q.where('actor_user_id', '=', input.actorUserId);
    if (input.action) q = input.action.endsWith('.') ? q.where('action', 'like', `${input.action}%`) : q.where('action', '=', input.action);
    if (input.target) q = q.where('target', '=', input.target);
    // bigserial ids arrive as bigint; the API speaks strings (pass one back as `before`).
    return (await q.execute()).map((r) => ({ ...r, id: String(r.id) }));
  }),
});
