// Routing settings (retries, cooldowns, health thresholds, probe and schedule intervals):
// admin-only get and set. Stored one row per setting; the store reloads them.
import { saveSettings } from '../state/save-settings.ts';
import { ROUTING_DEFAULTS, type RoutingSettings, RoutingSettingsPatch, routingSettings, settingKey } from '../routing/settings.ts';
import { adminProcedure, mutate, router } from './trpc.ts';

export const routingRouter = router({
  settings: adminProcedure.query(({ ctx }) => ({ values: routingSettings(ctx.gw.store), defaults: ROUTING_DEFAULTS })),

  /**
   * Circuit breakers of the instance answering (they are in memory per instance): every
   * channel × model that is open, half-open, or closed with failures counted. For the
   * console's channel list: `state` per channel id and model, `retryAt` when it half-opens.
   */
  breakers: adminProcedure.query(({ ctx }) => ctx.gw.routing.breakers.list().map((b) => ({
    ...b, channelName: ctx.gw.store.channel(b.channelId)?.name ?? null,
  }))),

  /** This instance's decayed time to first byte per channel × model (latency ranking). */
  latency: adminProcedure.query(({ ctx }) => ctx.gw.routing.latency.list().map((l) => ({
    ...l, channelName: ctx.gw.store.channel(l.channelId)?.name ?? null,
  }))),

  setSettings: adminProcedure.input(RoutingSettingsPatch).mutation(async ({ ctx, input }) => {
    const entries = Object.entries(input).filter(([, v]) => v !== undefined) as Array<[keyof RoutingSettings, unknown]>;
    await mutate(ctx, async () => {
      await saveSettings(ctx.gw.db.db, Object.fromEntries(entries.map(([name, value]) => [settingKey(name), value])));
    });
    return { updated: entries.map(([name]) => name), values: routingSettings(ctx.gw.store) };
  }),
});
