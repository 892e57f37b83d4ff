// Seeds the default price table (db/prices/default-prices.ts) once per table version.
// Models already in `prices` are never touched, so operator edits survive; a model the
// operator deleted comes back only when a newer table version ships.
import type { Kysely } from 'kysely';
import { DEFAULT_PRICES, DEFAULT_PRICES_VERSION, type DefaultPrice } from '../../db/prices/default-prices.ts';
import type { Database } from '../../db/schema.ts';
import type { Logger } from '../logger.ts';
import { usdToNano } from './money.ts';
import type { PriceExtra } from './pricing.ts';
import { saveSettings } from './settings.ts';

const VERSION_KEY = 'default_prices_version';

const nano = (usd: string | undefined) => (usd === undefined ? null : usdToNano(usd));
const nanoStr = (usd: string | undefined) => (usd === undefined ? undefined : usdToNano(usd).toString());

export function defaultPriceRow(p: DefaultPrice) {
  const extra: PriceExtra = {};
  if (p.longContext) {
    const lc = p.longContext;
    extra.long_context = {
      threshold: lc.threshold, input: nanoStr(lc.input)!, output: nanoStr(lc.output)!,
      ...(lc.cacheRead ? { cache_read: nanoStr(lc.cacheRead) } : {}),
      ...(lc.cacheWrite5m ? { cache_write_5m: nanoStr(lc.cacheWrite5m) } : {}),
      ...(lc.cacheWrite1h ? { cache_write_1h: nanoStr(lc.cacheWrite1h) } : {}),
    };
  }
  if (p.image) extra.image = Object.fromEntries(Object.entries(p.image).map(([k, v]) => [k, usdToNano(v).toString()]));
  if (p.ttsPerMChars) extra.tts_per_m_chars = nanoStr(p.ttsPerMChars);
  if (p.sttPerMinute) extra.stt_per_minute = nanoStr(p.sttPerMinute);
  return {
    model: p.model, input: usdToNano(p.input), output: usdToNano(p.output), cache_read: nano(p.cacheRead),
    cache_write_5m: nano(p.cacheWrite5m), cache_write_1h: nano(p.cacheWrite1h), per_request: nano(p.perRequest),
    extra: extra as Record<string, unknown>, source: `default ${p.checked}: ${p.source}`, updated_at: new Date(),
  };
}

export async function seedDefaultPrices(db: Kysely<Database>, log: Logger): Promise<void> {
  const seeded = await db.selectFrom('settings').select('value').where('key', '=', VERSION_KEY).executeTakeFirst();
  if (seeded?.value === DEFAULT_PRICES_VERSION) return;
  const rows = DEFAULT_PRICES.map(defaultPriceRow);
  await db.transaction().execute(async (tx) => {
    const added = await tx.insertInto('prices').values(rows).onConflict((oc) => oc.column('model').doNothing()).returning('model').execute();
    await saveSettings(tx, { [VERSION_KEY]: DEFAULT_PRICES_VERSION });
    log.info('seeded default prices', { version: DEFAULT_PRICES_VERSION, added: added.length });
  });
}
