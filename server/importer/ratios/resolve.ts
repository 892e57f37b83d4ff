// One API's ratio lookups, as relay/billing/ratio/model.go (GetModelRatio, GetCompletionRatio)
// does them at commit ONEAPI_RATIO_COMMIT: the `ModelRatio` / `CompletionRatio` options replace
// the live maps, but the built-in tables stay behind them as a fallback, and a key suffixed with
// a channel type (`claude-3-5-sonnet-20241022(33)`) wins for channels of that type. The order is:
//   option[model(type)] → builtin[model(type)] → option[model] → builtin[model] → (rules) → default
// Model ratio default: 30 ("model ratio not found"). Completion ratio: name rules, then 1.
import { toFraction, type Fraction } from '../money.ts';
import { BUILTIN_COMPLETION_RATIO, BUILTIN_MODEL_RATIO } from './builtin.ts';

/** One API's price when no table knows the model. */
export const UNKNOWN_MODEL_RATIO = 30;

export type RatioSource = 'option' | 'builtin' | 'fallback' | 'rule';

export interface Ratio {
  value: Fraction;
  source: RatioSource;
  /** The table key that matched (`gpt-4o`, `llama3-8b-8192(33)`), or the rule applied. */
  key: string;
}

/** A ratio as text (`2.5`, `70/53`) or a JSON number, exactly. */
export function ratioFraction(v: unknown): Fraction {
  if (typeof v === 'string' && v.includes('/')) {
    const [n, d] = v.split('/');
    return reduce({ num: BigInt(n!), den: BigInt(d!) });
  }
  return reduce(toFraction(v));
}

export function reduce(f: Fraction): Fraction {
  let a = f.num < 0n ? -f.num : f.num;
  let b = f.den;
  while (b) [a, b] = [b, a % b];
  const g = a || 1n;
  return { num: f.num / g, den: f.den / g };
}

export class OneApiRatios {
  constructor(
    /** The `ModelRatio` option (absent: One API runs on the built-in table alone). */
    readonly modelOption: ReadonlyMap<string, Fraction> | null,
    readonly completionOption: ReadonlyMap<string, Fraction> | null,
  ) {}

  model(name: string, channelType: number | null): Ratio {
    let n = name;
    if ((n.startsWith('qwen-') || n.startsWith('command-')) && n.endsWith('-internet')) n = n.slice(0, -'-internet'.length);
    const hit = this.lookup(n, channelType, BUILTIN_MODEL_RATIO, this.modelOption);
    return hit ?? { value: { num: BigInt(UNKNOWN_MODEL_RATIO), den: 1n }, source: 'fallback', key: 'unknown model: One API\'s fallback' };
  }

  completion(name: string, channelType: number | null): Ratio {
    let n = name;
    if (n.startsWith('qwen-') && n.endsWith('-internet')) n = n.slice(0, -'-internet'.length);
    const hit = this.lookup(n, channelType, BUILTIN_COMPLETION_RATIO, this.completionOption);
    if (hit) return hit;
    const rule = completionRule(n);
    return { value: rule.value, source: rule.value.num === 1n && rule.value.den === 1n && rule.key === 'default' ? 'fallback' : 'rule', key: rule.key };
  }

  private lookup(name: string, channelType: number | null, builtin: ReadonlyMap<string, string>, option: ReadonlyMap<string, Fraction> | null): Ratio | null {
    const keys = channelType === null ? [name] : [`${name}(${channelType})`, name];
    for (const key of keys) {
      const o = option?.get(key);
      if (o) return { value: reduce(o), source: 'option', key };
      const b = builtin.get(key);
      if (b !== undefined) return { value: ratioFraction(b), source: 'builtin', key };
    }
    return null;
  }
}

const q = (num: number, den = 1): Fraction => ({ num: BigInt(num), den: BigInt(den) });

/** GetCompletionRatio's hard-coded name rules, in its order. */
function completionRule(name: string): { value: Fraction; key: string } {
  const r = (value: Fraction, key: string) => ({ value, key });
  if (name.startsWith('gpt-3.5')) {
    if (name === 'gpt-3.5-turbo' || name.endsWith('0125')) return r(q(3), 'gpt-3.5-turbo / *0125 → 3');
    if (name.endsWith('1106')) return r(q(2), 'gpt-3.5 *1106 → 2');
    return r(q(4, 3), 'gpt-3.5* → 4/3');
  }
  if (name.startsWith('gpt-4')) {
    if (name.startsWith('gpt-4o')) return name === 'gpt-4o-2024-05-13' ? r(q(3), 'gpt-4o-2024-05-13 → 3') : r(q(4), 'gpt-4o* → 4');
    if (name.startsWith('gpt-4-turbo') || name.endsWith('preview')) return r(q(3), 'gpt-4-turbo* / *preview → 3');
    return r(q(2), 'gpt-4* → 2');
  }
  if (name.startsWith('o1')) return r(q(4), 'o1* → 4');
  if (name === 'chatgpt-4o-latest') return r(q(3), 'chatgpt-4o-latest → 3');
  if (name.startsWith('claude-3')) return r(q(5), 'claude-3* → 5');
  if (name.startsWith('claude-')) return r(q(3), 'claude-* → 3');
  if (name.startsWith('mistral-')) return r(q(3), 'mistral-* → 3');
  if (name.startsWith('gemini-')) return r(q(3), 'gemini-* → 3');
  if (name.startsWith('deepseek-')) return r(q(2), 'deepseek-* → 2');
  const exact = EXACT_RULES.get(name);
  if (exact) return r(exact, `${name} → ${exact.num}${exact.den === 1n ? '' : `/${exact.den}`}`);
  return r(q(1), 'default');
}

// The `switch name` block of GetCompletionRatio. Go divides float constants exactly, so
// 0.79 / 0.59 is 79/59 and 2.750 / 0.650 is 55/13; 8.333333333333334 is the literal Go wrote.
const EXACT_RULES = new Map<string, Fraction>([
  ['llama2-70b-4096', q(5, 4)],
  ['llama3-8b-8192', q(2)],
  ['llama3-70b-8192', q(79, 59)],
  ...['command', 'command-light', 'command-nightly', 'command-light-nightly'].map((n) => [n, q(2)] as [string, Fraction]),
  ['command-r', q(3)],
  ['command-r-plus', q(5)],
  ['grok-beta', q(3)],
  ['ibm-granite/granite-20b-code-instruct-8k', q(5)],
  ['ibm-granite/granite-3.0-2b-instruct', toFraction('8.333333333333334')],
  ...['ibm-granite/granite-3.0-8b-instruct', 'ibm-granite/granite-8b-code-instruct-128k'].map((n) => [n, q(5)] as [string, Fraction]),
  ...['meta/llama-2-13b', 'meta/llama-2-13b-chat', 'meta/llama-2-7b', 'meta/llama-2-7b-chat', 'meta/meta-llama-3-8b', 'meta/meta-llama-3-8b-instruct'].map(
    (n) => [n, q(5)] as [string, Fraction],
  ),
  ...['meta/llama-2-70b', 'meta/llama-2-70b-chat', 'meta/meta-llama-3-70b', 'meta/meta-llama-3-70b-instruct'].map((n) => [n, q(55, 13)] as [string, Fraction]),
  ['meta/meta-llama-3.1-405b-instruct', q(1)],
  ...['mistralai/mistral-7b-instruct-v0.2', 'mistralai/mistral-7b-v0.1'].map((n) => [n, q(5)] as [string, Fraction]),
  ['mistralai/mixtral-8x7b-instruct-v0.1', q(10, 3)],
]);
