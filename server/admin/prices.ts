import { usdToNano } from '../billing/money.ts';
import { PriceSet } from './schemas.ts';
import { adminProcedure, mutate, router } from './trpc.ts';

function withoutModel<T extends { model: string }>(row: T): Omit<T, 'model'> {
  const { model: _model, ...rest } = row;
  return rest;
}

const opt = (x: string | undefined) => (x === undefined ? null : usdToNano(x));

export const pricesRouter = router({
  /** Prices are USD per 1M tokens on input, stored as nano-USD per 1M tokens. */
  set: adminProcedure.input(PriceSet).mutation(({ ctx, input }) => mutate(ctx, async () => {
    const row = {
      model: input.model, input: usdToNano(input.inputUsdPerM), output: usdToNano(input.outputUsdPerM),
      cache_read: opt(input.cacheReadUsdPerM), cache_write_5m: opt(input.cacheWrite5mUsdPerM),
      cache_write_1h: opt(input.cacheWrite1hUsdPerM), per_request: opt(input.perRequestUsd), source: 'admin', updated_at: new Date(),
    };
    await ctx.gw.db.db.insertInto('prices').values(row)
      .onConflict((oc) => oc.column('model').doUpdateSet(withoutModel(row))).execute();
    return { model: input.model };
  })),

  list: adminProcedure.query(({ ctx }) => ctx.gw.db.db.selectFrom('prices').selectAll().orderBy('model').execute()),
});
