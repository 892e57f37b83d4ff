// One API `options` → QuotaPerUnit, model prices and group multipliers.
import {
  DEFAULT_QUOTA_PER_UNIT,
  NANO_PER_M_AT_RATIO_ONE,
  PPM,
  multiply,
  scaleRound,
  toFraction,
  type Fraction,
} from '../money.ts';
import { asStr, type Row } from '../values.ts';
import type { Skip } from './context.ts';

export interface PricePlan {
  model: string;
  input: bigint;
  output: bigint;
}

export interface GroupPlan {
  name: string;
  multiplier_ppm: number;
}

export interface OptionsPlan {
  quotaPerUnit: Fraction;
  quotaPerUnitText: string;
  prices: PricePlan[];
  groups: GroupPlan[];
  priceSkips: Skip[];
  groupSkips: Skip[];
  notes: string[];
}

export function mapOptions(rows: Row[]): OptionsPlan {
  const opts = new Map<string, string>();
  for (const r of rows) opts.set(asStr(r.key), asStr(r.value));
  const notes: string[] = [];

  let quotaPerUnitText = DEFAULT_QUOTA_PER_UNIT;
  let quotaPerUnit = toFraction(DEFAULT_QUOTA_PER_UNIT);
  const qpu = opts.get('QuotaPerUnit')?.trim();
  if (qpu) {
    try {
      const f = toFraction(qpu);
      if (f.num <= 0n) throw new RangeError('not positive');
      quotaPerUnit = f;
      quotaPerUnitText = qpu;
    } catch {
      notes.push(`options: QuotaPerUnit "${qpu}" is not a positive number, using One API's default ${DEFAULT_QUOTA_PER_UNIT}`);
    }
  }

  const priceSkips: Skip[] = [];
  const modelRatio = ratioMap(opts.get('ModelRatio'), 'ModelRatio', notes);
  const completionRatio = ratioMap(opts.get('CompletionRatio'), 'CompletionRatio', notes);
  const prices: PricePlan[] = [];
  for (const [model, raw] of modelRatio) {
    const ratio = fractionOrSkip(raw, model, 'model ratio', priceSkips);
    if (!ratio) continue;
    const rawCompletion = completionRatio.get(model);
    let completion: Fraction = { num: 1n, den: 1n };
    if (rawCompletion !== undefined) {
      const c = fractionOrSkip(rawCompletion, model, 'completion ratio', priceSkips);
      if (!c) continue;
      completion = c;
    }
    const input = scaleRound(ratio, NANO_PER_M_AT_RATIO_ONE);
    // Output from the exact product, rounded once: never input-rounded × ratio.
    const output = scaleRound(multiply(ratio, completion), NANO_PER_M_AT_RATIO_ONE);
    if (!input.exact || !output.exact) notes.push(`price ${model}: ratio has sub-nano digits, rounded half-up`);
    prices.push({ model, input: input.value, output: output.value });
  }

  const groupSkips: Skip[] = [];
  const groups: GroupPlan[] = [];
  for (const [name, raw] of ratioMap(opts.get('GroupRatio'), 'GroupRatio', notes)) {
    const ratio = fractionOrSkip(raw, name, 'group ratio', groupSkips);
    if (!ratio) continue;
    const ppm = scaleRound(ratio, PPM);
    if (ppm.value > 2_147_483_647n) {
      groupSkips.push({ oneapiId: name, label: name, reason: `group ratio ${asStr(raw)} is too large` });
      continue;
    }
    if (!ppm.exact) notes.push(`group ${name}: ratio ${asStr(raw)} rounded half-up to ${ppm.value} ppm`);
    groups.push({ name, multiplier_ppm: Number(ppm.value) });
  }
  return { quotaPerUnit, quotaPerUnitText, prices, groups, priceSkips, groupSkips, notes };
}

function ratioMap(json: string | undefined, option: string, notes: string[]): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (!json?.trim()) return out;
  try {
    const parsed: unknown = JSON.parse(json);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      for (const [k, v] of Object.entries(parsed)) out.set(k, v);
    else notes.push(`options: ${option} is not a JSON object, ignored`);
  } catch {
    notes.push(`options: ${option} is not valid JSON, ignored`);
  }
  return out;
}

function fractionOrSkip(raw: unknown, name: string, what: string, skips: Skip[]): Fraction | null {
  try {
    const f = toFraction(raw);
    if (f.num < 0n) throw new RangeError('negative');
    return f;
  } catch {
    skips.push({ oneapiId: name, label: name, reason: `${what} ${JSON.stringify(raw)} is not a non-negative number` });
    return null;
  }
}
