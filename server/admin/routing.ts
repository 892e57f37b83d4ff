// Routing settings (retries, cooldowns, health thresholds, probe and schedule intervals):
// admin-only get and set. Stored one row per setting; the store reloads them.
import { sql } from 'kysely';
import { ROUTING_DEFAULTS, type RoutingSettings, RoutingSettingsPatch, routingSettings, settingKey } from '../routing/settings.ts';
import { adminProcedure, mutate, router } from './trpc.ts';

export const routingRouter = router({
  settings: adminProcedure.query(({ ctx }) => ({ values: routingSettings(ctx.gw.store), defaults: ROUTING_DEFAULTS })),

  setSettings: adminProcedure.input(RoutingSettingsPatch).mutation(async ({ ctx, input }) => {
    const entries = Object.entries(input).filter(([, v]) => v !== undefined) as Array<[keyof RoutingSettings, unknown]>;
    await mutate(ctx, async () => {
      if (!entries.length) return;
      await ctx.gw.db.db.insertInto('settings')
        // Sent as JSON text and parsed by Postgres: a jsonb-typed parameter would be JSON-encoded
        // once more by the driver, turning 10 into the string "10".
        .values(entries.map(([name, value]) => ({ key: settingKey(name), value: sql<unknown>`(${JSON.stringify(value)}::text)::jsonb` })))
        .onConflict((oc) => oc.column('key').doUpdateSet({ value: sql`excluded.value`, updated_at: new Date() }))
        .execute();
    });
    return { updated: entries.map(([name]) => name), values: routingSettings(ctx.gw.store) };
  }),
});
