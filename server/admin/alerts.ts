// Operator alerts (server/alerts): settings (webhook URL, signing secret — write-only — and
// the low-balance threshold), the list the console shows as notices, acknowledging them,
// and a test alert to check the webhook. Admin only.
import { TRPCError } from '@trpc/server';
import * as v from 'valibot';
import { insertAlert } from '../alerts/raise.ts';
import { ALERT_DEFAULTS, alertSettingKey, AlertSettingsSchema, alertSettings, SECRET_KEY } from '../alerts/settings.ts';
import { saveSettings } from '../state/save-settings.ts';
import { adminProcedure, mutate, router } from './trpc.ts';

const view = (s: ReturnType<typeof alertSettings>) => ({ webhookUrl: s.webhookUrl, lowBalanceUsd: s.lowBalanceUsd, webhookSecretSet: s.webhookSecretSealed !== null });

const SettingsPatch = v.object({
  ...v.partial(AlertSettingsSchema).entries,
  /** HMAC-SHA256 key for the webhook signature, 16–200 characters; '' clears it. Never shown back. */
  webhookSecret: v.optional(v.union([v.literal(''), v.pipe(v.string(), v.minLength(16, 'webhookSecret must be at least 16 characters'), v.maxLength(200))])),
});

export const alertsRouter = router({
  settings: adminProcedure.query(({ ctx }) => ({ values: view(alertSettings(ctx.gw.store)), defaults: ALERT_DEFAULTS })),

  setSettings: adminProcedure.input(SettingsPatch).mutation(async ({ ctx, input }) => {
    const current = alertSettings(ctx.gw.store);
    const url = input.webhookUrl ?? current.webhookUrl;
    const secretSet = input.webhookSecret !== undefined ? input.webhookSecret !== '' : current.webhookSecretSealed !== null;
    if (url && !secretSet) throw new TRPCError({ code: 'BAD_REQUEST', message: 'A webhook needs a signing secret: set webhookSecret (16+ characters).' });
    const values: Record<string, unknown> = {};
    if (input.webhookUrl !== undefined) values[alertSettingKey('webhookUrl')] = input.webhookUrl;
    if (input.lowBalanceUsd !== undefined) values[alertSettingKey('lowBalanceUsd')] = input.lowBalanceUsd;
    if (input.webhookSecret !== undefined) values[SECRET_KEY] = input.webhookSecret ? ctx.gw.box.seal(input.webhookSecret) : '';
    await mutate(ctx, () => saveSettings(ctx.gw.db.db, values));
    return { values: view(alertSettings(ctx.gw.store)) };
  }),

  /** Newest first; keyset by id. `unacknowledged` for the console's notice badge. */
  list: adminProcedure
    .input(v.object({
      unacknowledged: v.optional(v.boolean()),
      kind: v.optional(v.pipe(v.string(), v.maxLength(64))),
      before: v.optional(v.pipe(v.string(), v.regex(/^\d{1,19}$/))),
      limit: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(500)), 50),
    }))
    .query(async ({ ctx, input }) => {
      let q = ctx.gw.db.db.selectFrom('alerts').selectAll().orderBy('id', 'desc').limit(input.limit);
      if (input.unacknowledged) q = q.where('acknowledged_at', 'is', null);
      if (input.kind) q = q.where('kind', '=', input.kind);
      if (input.before) q = q.where('id', '<', BigInt(input.before));
      return q.execute();
    }),

  /** Mark notices read: the given ids, or all. */
  acknowledge: adminProcedure
    .input(v.object({ ids: v.optional(v.array(v.pipe(v.string(), v.regex(/^\d{1,19}$/)))) }))
    .mutation(async ({ ctx, input }) => {
      let q = ctx.gw.db.db.updateTable('alerts').set({ acknowledged_at: new Date() }).where('acknowledged_at', 'is', null);
      if (input.ids) {
        if (!input.ids.length) return { acknowledged: 0 };
        q = q.where('id', 'in', input.ids.map(BigInt));
      }
      const r = await q.executeTakeFirst();
      return { acknowledged: Number(r.numUpdatedRows) };
    }),

  /** Raise a `test` alert (delivered to the webhook within a second when one is set). */
  test: adminProcedure.mutation(async ({ ctx }) => {
    const id = await insertAlert(ctx.gw, { kind: 'test', severity: 'info', subject: 'switchboard', message: `Test alert from ${ctx.actor.name}.` });
    return { id };
  }),
});
