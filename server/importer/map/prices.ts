// What One API charged, as Switchboard prices. One API bills a call on channel type T for the
// model it actually sends upstream (after model_mapping) at
//   quota = (prompt + completion × CompletionRatio(model, T)) × ModelRatio(model, T) × GroupRatio
// so each (channel, served model) pair has one effective input and output price. The model's
// list price is the one most of its channels share; a channel whose type (or mapping) makes One
// API charge otherwise gets a channel price, which Switchboard bills ahead of the list price.
import { multiply, NANO_PER_M_AT_RATIO_ONE, scaleRound, type Fraction } from '../money.ts';
import type { OneApiRatios, Ratio } from '../ratios/resolve.ts';
import type { ChannelPlan } from './channels.ts';
import type { Ok } from '../plan.ts';

export interface PricePlan {
  model: string;
  input: bigint;
  output: bigint;
  /** How One API arrived at it, for the report. */
  basis: string;
}

export interface ChannelPricePlan extends PricePlan {
  channelOneapiId: number;
}

export interface PricesPlan {
  prices: PricePlan[];
  channelPrices: ChannelPricePlan[];
  notes: string[];
}

const TYPE_KEY = /^(.*)\((\d+)\)$/;

export function planPrices(ratios: OneApiRatios, optionModels: string[], channels: Ok<ChannelPlan>[]): PricesPlan {
  const notes: string[] = [];
  const served = new Map<string, { channel: number; price: PricePlan }[]>();
  for (const c of channels) {
    const type = c.value.row.type;
    for (const model of c.value.row.models) {
      const billed = c.value.billedMapping[model] || model;
      const price = priceOf(ratios, model, billed, type);
      if (price.fallback) notes.push(`channel #${c.oneapiId} (${c.label}) serves ${billed}, which no One API ratio table knows: priced at One API's fallback ratio 30 ($60/1M input)`);
      let list = served.get(model);
      if (!list) served.set(model, (list = []));
      list.push({ channel: c.oneapiId, price: price.plan });
    }
  }

  const prices: PricePlan[] = [];
  const channelPrices: ChannelPricePlan[] = [];
  for (const [model, list] of served) {
    const listPrice = mostCommon(list.map((l) => l.price));
    prices.push(listPrice);
    for (const l of list)
      if (l.price.input !== listPrice.input || l.price.output !== listPrice.output) channelPrices.push({ ...l.price, channelOneapiId: l.channel });
  }

  const typeKeys = new Map<string, number[]>();
  for (const key of optionModels) {
    const m = TYPE_KEY.exec(key);
    if (m) {
      const types = typeKeys.get(m[1]!) ?? [];
      types.push(Number(m[2]));
      typeKeys.set(m[1]!, types);
      continue;
    }
    // Priced in One API but served by no imported channel: the plain (no channel type) price.
    if (!served.has(key)) prices.push(priceOf(ratios, key, key, null).plan);
  }
  for (const [model, types] of typeKeys)
    for (const type of types) {
      const users = channels.filter((c) => c.value.row.type === type && c.value.row.models.some((m) => (c.value.billedMapping[m] || m) === model));
      if (!users.length) notes.push(`ModelRatio key "${model}(${type})" prices ${model} on channel type ${type} only; no imported channel of that type serves it, so it is not a price of its own`);
    }
  prices.sort((a, b) => (a.model < b.model ? -1 : a.model > b.model ? 1 : 0));
  return { prices, channelPrices, notes };
}

/** One API's effective price for `billed` on channel type `type`, listed under the client's name. */
export function priceOf(ratios: OneApiRatios, model: string, billed: string, type: number | null): { plan: PricePlan; fallback: boolean } {
  const mr = ratios.model(billed, type);
  const cr = ratios.completion(billed, type);
  const input = scaleRound(mr.value, NANO_PER_M_AT_RATIO_ONE).value;
  // Output from the exact product, rounded once: never rounded input × ratio.
  const output = scaleRound(multiply(mr.value, cr.value), NANO_PER_M_AT_RATIO_ONE).value;
  const via = billed !== model ? `${billed} (model_mapping) ` : '';
  const basis = `${via}model ratio ${show(mr)} × completion ratio ${show(cr)}${type !== null ? ` on channel type ${type}` : ''}`;
  return { plan: { model, input, output, basis }, fallback: mr.source === 'fallback' };
}

function show(r: Ratio): string {
  const v = fractionText(r.value);
  if (r.source === 'option') return `${v} (option ${r.key})`;
  if (r.source === 'builtin') return `${v} (built-in ${r.key})`;
  if (r.source === 'rule') return `${v} (rule ${r.key})`;
  return `${v} (${r.key})`;
}

function fractionText(f: Fraction): string {
  const g = gcd(f.num, f.den);
  const n = f.num / g;
  const d = f.den / g;
  if (d === 1n) return n.toString();
  // Terminating decimals read better: 0.075 rather than 3/40.
  let den = d;
  let digits = 0;
  while (den % 10n === 0n) (den /= 10n), digits++;
  for (const p of [2n, 5n]) while (den % p === 0n) (den /= p), digits++;
  if (den === 1n) {
    const scaled = (n * 10n ** BigInt(digits)) / d;
    const s = scaled.toString().padStart(digits + 1, '0');
    return `${s.slice(0, -digits)}.${s.slice(-digits)}`.replace(/\.?0+$/, '');
  }
  return `${n}/${d}`;
}

function gcd(a: bigint, b: bigint): bigint {
  a = a < 0n ? -a : a;
  while (b) [a, b] = [b, a % b];
  return a || 1n;
}

/** The price most channels share; a tie goes to the lowest One API channel id (listed first). */
function mostCommon(prices: PricePlan[]): PricePlan {
  const counts = new Map<string, { n: number; p: PricePlan }>();
  for (const p of prices) {
    const k = `${p.input}/${p.output}`;
    const hit = counts.get(k);
    if (hit) hit.n++;
    else counts.set(k, { n: 1, p });
  }
  let best: { n: number; p: PricePlan } | null = null;
  for (const c of counts.values()) if (!best || c.n > best.n) best = c;
  return best!.p;
}
