// Groups (GroupRatio → multiplier) and prices (ModelRatio × CompletionRatio → nano per 1M).
import type { GroupPlan, PricePlan } from '../map/options.ts';
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

export async function writePrices(w: WriteContext, plans: PricePlan[]): Promise<void> {
  const { tx, rb } = w;
  const existing = new Map((await tx.selectFrom('prices').select(['model', 'input', 'output']).execute()).map((p) => [p.model, p]));
  let done = 0;
  for (const p of plans) {
    const current = existing.get(p.model);
    if (!current) {
      await tx.insertInto('prices').values({ model: p.model, input: p.input, output: p.output, source: 'oneapi' }).execute();
      rb.created('prices', p.model, p.model);
    } else {
      const changes = [...(current.input !== p.input ? ['input'] : []), ...(current.output !== p.output ? ['output'] : [])];
      if (!changes.length) rb.unchanged('prices');
      else {
        await tx
          .updateTable('prices')
          .set({ input: p.input, output: p.output, source: 'oneapi', updated_at: new Date() })
          .where('model', '=', p.model)
          .execute();
        rb.updated('prices', p.model, p.model, changes);
      }
    }
    w.progress('write:prices', ++done, plans.length);
  }
}
