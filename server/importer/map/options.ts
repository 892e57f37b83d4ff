// One API `options` → QuotaPerUnit, the ratio tables prices are computed from, group multipliers
// and the options that change how the gateway behaves.
import { DEFAULT_QUOTA_PER_UNIT, PPM, scaleRound, toFraction, type Fraction } from '../money.ts';
import { OneApiRatios } from '../ratios/resolve.ts';
import { behaviourOptions, type BehaviourOptions } from './behaviour.ts';
import { asStr, type Row } from '../values.ts';
import type { Skip } from './context.ts';

export interface GroupPlan {
  name: string;
  multiplier_ppm: number;
}

export interface OptionsPlan {
  quotaPerUnit: Fraction;
  quotaPerUnitText: string;
  /** One API's ratio lookups: built-in tables with the options on top. */
  ratios: OneApiRatios;
  /** Every key of the ModelRatio option (plain model names and `model(type)` keys). */
  optionModels: string[];
  groups: GroupPlan[];
  priceSkips: Skip[];
  groupSkips: Skip[];
  notes: string[];
  settings: BehaviourOptions;
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
  const modelOption = ratioOption(opts, 'ModelRatio', 'model ratio', priceSkips, notes);
  const completionOption = ratioOption(opts, 'CompletionRatio', 'completion ratio', priceSkips, notes);
  const ratios = new OneApiRatios(modelOption, completionOption);

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
  return { quotaPerUnit, quotaPerUnitText, ratios, optionModels: [...(modelOption?.keys() ?? [])], groups, groupSkips, priceSkips, notes, settings: behaviourOptions(opts) };
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

/** A ratio option as a map; entries that are not non-negative numbers are skipped (and reported). */
function ratioOption(opts: Map<string, string>, option: string, what: string, skips: Skip[], notes: string[]): Map<string, Fraction> | null {
  if (!opts.has(option)) return null;
  const out = new Map<string, Fraction>();
  for (const [model, raw] of ratioMap(opts.get(option), option, notes)) {
    const f = fractionOrSkip(raw, model, what, skips);
    if (f) out.set(model, f);
  }
  return out;
}
