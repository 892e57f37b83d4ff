// Groups (GroupRatio → multiplier) and prices (One API's effective ratios → nano per 1M).
import type { GroupPlan } from '../map/options.ts';
import type { ChannelPricePlan, PricePlan } from '../map/prices.ts';
import { usd, type ValueChange } from '../report.ts';
import { same } from './diff.ts';
import { PPM } from '../money.ts';
import type { WriteContext } from './context.ts';

export async function writeGroups(w: WriteContext, plans: GroupPlan[], referenced: Set<string>): Promise<void> {
  const { tx, rb } = w;
  const existing = new Map((await tx.selectFrom('groups').selectAll().execute()).map((g) => [g.name, g]));
  const planned = new Set(plans.map((g) => g.name));
  for (const g of plans) {
    const current = existing.get(g.name);
    if (!current) {
      await tx.insertInto('groups').values({ name: g.name, multiplier_ppm: g.multiplier_ppm, description: 'from One API GroupRatio' }).execute();
      rb.created('groups', g.name, g.name);
    } else if (current.multiplier_ppm !== g.multiplier_ppm) {
      await tx.updateTable('groups').set({ multiplier_ppm: g.multiplier_ppm }).where('name', '=', g.name).execute();
      rb.updated('groups', g.name, g.name, ['multiplier_ppm']);
    } else rb.unchanged('groups');
  }
  // Groups named by users or channels but absent from GroupRatio: One API priced them at ×1.
  for (const name of [...referenced].sort()) {
    if (planned.has(name) || existing.has(name)) continue;
    await tx.insertInto('groups').values({ name, multiplier_ppm: Number(PPM), description: 'used in One API (no GroupRatio entry)' }).execute();
    rb.created('groups', name, name);
    rb.note(`group "${name}" has no One API GroupRatio entry: created with multiplier ×1`);
  }
}

/** `replace`: One API's price wins over a price Switchboard already has; `keep`: only missing prices are added. */
export type PriceMode = 'replace' | 'keep';

const TOKEN_ONLY = { cache_read: null, cache_write_5m: null, cache_write_1h: null, per_request: null } as const;

export async function writePrices(w: WriteContext, plans: PricePlan[], mode: PriceMode): Promise<void> {
  const { tx, rb } = w;
  const existing = new Map((await tx.selectFrom('prices').selectAll().execute()).map((p) => [p.model, p]));
  let done = 0;
  for (const p of plans) {
    w.progress('write:prices', ++done, plans.length);
    const current = existing.get(p.model);
    const values = priceValues(current ?? null, p);
    if (!current) {
      await tx.insertInto('prices').values({ model: p.model, input: p.input, output: p.output, ...TOKEN_ONLY, extra: {}, source: 'oneapi' }).execute();
      rb.created('prices', p.model, p.model, { values, basis: p.basis });
      continue;
    }
    // One API charged cached tokens at the input price and had no long-context tier: a price it
    // sets carries neither, or Switchboard would bill those tokens differently.
    const { long_context: _lc, ...extra } = (current.extra ?? {}) as Record<string, unknown>;
    const next = { input: p.input, output: p.output, ...TOKEN_ONLY, extra };
    const changes = Object.keys(next).filter((k) => !same((current as Record<string, unknown>)[k], (next as Record<string, unknown>)[k]));
    if (!changes.length) {
      rb.unchanged('prices');
      continue;
    }
    if (mode === 'keep') {
      rb.kept('prices', p.model, p.model, 'Switchboard already has a price for this model (prices mode: keep)', { values, basis: p.basis });
      continue;
    }
    await tx.updateTable('prices').set({ ...next, source: 'oneapi', updated_at: new Date() }).where('model', '=', p.model).execute();
    rb.updated('prices', p.model, p.model, changes, { values, basis: p.basis });
  }
}

/** A channel's own price where One API charged it differently from the model's list price. */
export async function writeChannelPrices(w: WriteContext, plans: ChannelPricePlan[], channelIds: Map<number, number>, mode: PriceMode): Promise<void> {
  const { tx, rb } = w;
  const ids = [...channelIds.values()];
  const existing = ids.length ? await tx.selectFrom('channel_prices').selectAll().where('channel_id', 'in', ids).execute() : [];
  const byKey = new Map(existing.map((p) => [`${p.channel_id}\u0000${p.model}`, p]));
  for (const p of plans) {
    const channelId = channelIds.get(p.channelOneapiId);
    if (channelId === undefined) continue;
    const label = `channel #${p.channelOneapiId} ${p.model}`;
    const current = byKey.get(`${channelId}\u0000${p.model}`);
    const values = priceValues(current ?? null, p);
    if (!current) {
      await tx.insertInto('channel_prices').values({ channel_id: channelId, model: p.model, input: p.input, output: p.output, ...TOKEN_ONLY, extra: {} }).execute();
      rb.created('channel_prices', p.channelOneapiId, label, { values, basis: p.basis });
    } else if (same(current.input, p.input) && same(current.output, p.output)) rb.unchanged('channel_prices');
    else if (mode === 'keep') rb.kept('channel_prices', p.channelOneapiId, label, 'the channel already has its own price (prices mode: keep)', { values, basis: p.basis });
    else {
      await tx.updateTable('channel_prices').set({ input: p.input, output: p.output, ...TOKEN_ONLY, updated_at: new Date() }).where('channel_id', '=', channelId).where('model', '=', p.model).execute();
      rb.updated('channel_prices', p.channelOneapiId, label, ['input', 'output'], { values, basis: p.basis });
    }
  }
}

function priceValues(current: { input: bigint; output: bigint } | null, p: PricePlan): ValueChange[] {
  return [
    { field: 'input per 1M', old: current ? usd(BigInt(current.input)) : null, new: usd(p.input) },
    { field: 'output per 1M', old: current ? usd(BigInt(current.output)) : null, new: usd(p.output) },
  ];
}
