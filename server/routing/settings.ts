// Routing settings: one row per setting in the `settings` table (`routing.<name>`, jsonb),
// loaded with the store's snapshot. A missing or invalid row falls back to its default,
// so a bad value can never stop the relay.
import * as v from 'valibot';
import type { Store } from '../state/store.ts';

const int = (min: number, max: number) => v.pipe(v.number(), v.integer(), v.minValue(min), v.maxValue(max));
const DAY_MS = 86_400_000;

export const RoutingSettingsSchema = v.object({
  /**
   * Backstop on extra attempts after the first. A call tries each distinct channel × key
   * pair at most once, across every priority tier, until `failoverDeadlineMs`.
   */
  retries: int(0, 1000),
  /** No new upstream attempt starts once a call has spent this long (ms since it arrived). */
  failoverDeadlineMs: int(100, 600_000),
  /** Consecutive failures of a channel × model that open its circuit breaker. */
  breakerThreshold: int(1, 1000),
  /** First cooldown of an open breaker; doubles each time it reopens, up to the max. */
  breakerCooldownMs: int(100, DAY_MS),
  breakerMaxCooldownMs: int(100, DAY_MS),
  /** A breaker open this long raises the "breaker stays open" alert. */
  breakerAlertAfterMs: int(1000, DAY_MS),
  /** How a channel's key pool is walked. */
  keyRotation: v.picklist(['round-robin', 'random']),
  /** 429 without Retry-After: cool the key for base × 2^(strikes − 1), capped. */
  cooldownBaseMs: int(0, DAY_MS),
  cooldownMaxMs: int(0, DAY_MS),
  /** Health: sliding window per channel × model, and when it trips. */
  healthWindowMs: int(1000, DAY_MS),
  healthMinRequests: int(1, 1_000_000),
  healthErrorRate: v.pipe(v.number(), v.minValue(0.01), v.maxValue(1)),
  /** How often auto-disabled channels are probed for re-enabling. */
  probeIntervalMs: int(50, DAY_MS),
  /** A passing test or probe re-enables an auto-disabled channel (One API's AutomaticEnableChannelEnabled). Off: the probe does not run and channels stay disabled until an admin enables them. */
  autoEnable: v.boolean(),
  /** Scheduled test of every channel; 0 = off. */
  testIntervalMs: int(0, 30 * DAY_MS),
  testPrompt: v.pipe(v.string(), v.nonEmpty(), v.maxLength(2000)),
  testConcurrency: int(1, 32),
  /**
   * Cache affinity: a conversation's calls stay on the channel and key that served it while
   * both are healthy, for this long after its last call (sliding). 0 = off.
   */
  affinityTtlMs: int(0, DAY_MS),
  /**
   * Ranking inside a priority tier, opt-in per model or per user group (a model's entry wins):
   * `latency` (lowest decayed TTFB first), `cost` (cheapest cost price first), else `weight`
   * (the weighted random order). The weight breaks ties; failover follows the same order.
   */
  rankByModel: v.record(v.pipe(v.string(), v.nonEmpty(), v.maxLength(200)), v.picklist(['weight', 'latency', 'cost'])),
  rankByGroup: v.record(v.pipe(v.string(), v.nonEmpty(), v.maxLength(64)), v.picklist(['weight', 'latency', 'cost'])),
  /** Scheduled upstream balance queries; 0 = off. */
  balanceIntervalMs: int(0, 30 * DAY_MS),
});

export type RoutingSettings = v.InferOutput<typeof RoutingSettingsSchema>;

export const ROUTING_DEFAULTS: RoutingSettings = {
  retries: 100,
  failoverDeadlineMs: 30_000,
  breakerThreshold: 3,
  breakerCooldownMs: 1_000,
  breakerMaxCooldownMs: 10_000,
  breakerAlertAfterMs: 60_000,
  keyRotation: 'round-robin',
  cooldownBaseMs: 5_000,
  cooldownMaxMs: 300_000,
  healthWindowMs: 300_000,
  healthMinRequests: 20,
  healthErrorRate: 0.5,
  probeIntervalMs: 10_000,
  autoEnable: true,
  testIntervalMs: 0,
  testPrompt: 'Say hi.',
  testConcurrency: 4,
  balanceIntervalMs: 6 * 3_600_000,
  affinityTtlMs: 1_800_000,
  rankByModel: {},
  rankByGroup: {},
};

/** Input of `routing.setSettings`: any subset. */
export const RoutingSettingsPatch = v.partial(RoutingSettingsSchema);

export const settingKey = (name: keyof RoutingSettings) => `routing.${name}`;

const cache = new WeakMap<ReadonlyMap<string, unknown>, RoutingSettings>();

/** The routing settings of the store's current snapshot (parsed once per snapshot). */
export function routingSettings(store: Store): RoutingSettings {
  const rows = store.settings();
  let s = cache.get(rows);
  if (!s) {
    s = { ...ROUTING_DEFAULTS };
    for (const name of Object.keys(ROUTING_DEFAULTS) as Array<keyof RoutingSettings>) {
      const parsed = v.safeParse(RoutingSettingsSchema.entries[name], rows.get(settingKey(name)));
      if (parsed.success) (s as Record<string, unknown>)[name] = parsed.output;
    }
    cache.set(rows, s);
  }
  return s;
}
