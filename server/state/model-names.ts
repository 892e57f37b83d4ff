// Model names as clients send them versus names as operators configure them.
//
// - A channel's model list and mapping keys may hold patterns with `*` (`claude-*`), so one
//   channel can serve every name a client might send (Claude Code's `--model haiku` sends
//   `claude-haiku-4-5-20251001`). Mapping keys are aliases the channel serves too.
// - A price applies to a model's dated snapshots and, when the price table holds a pattern,
//   to every name it matches: `claude-haiku-4-5-20251001` is priced as `claude-haiku-4-5`.
// Exact names always win; among patterns the longest (most specific) wins.

export const isPattern = (name: string): boolean => name.includes('*');

const compiled = new Map<string, RegExp>();

export function matchesPattern(pattern: string, model: string): boolean {
  let re = compiled.get(pattern);
  if (!re) {
    re = new RegExp(`^${pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
    if (compiled.size > 10_000) compiled.clear();
    compiled.set(pattern, re);
  }
  return re.test(model);
}

/** The longest of `patterns` that matches `model`, or null. */
export function bestPattern(patterns: Iterable<string>, model: string): string | null {
  let best: string | null = null;
  for (const p of patterns) if ((best === null || p.length > best.length) && matchesPattern(p, model)) best = p;
  return best;
}

// Snapshot suffixes vendors put on a model's name: Anthropic `-20251001`, OpenAI
// `-2024-08-06`, Vertex `@20250805`, and `-latest` aliases.
const DATED = /(?:[-@]\d{8}|-\d{4}-\d{2}-\d{2}|-latest)$/;

/** Names a price may be filed under for `model`, most specific first (patterns excluded). */
export function priceNames(model: string): string[] {
  const names = [model];
  let name = model;
  while (DATED.test(name)) {
    name = name.replace(DATED, '');
    names.push(name);
  }
  // Vendors list some models only under their rolling alias (`claude-3-5-haiku-latest`).
  if (name !== model && !model.endsWith('-latest')) names.push(`${name}-latest`);
  return names;
}

/** The upstream name for `model` on a channel: its mapping (exact key, else the longest matching pattern), else the name itself. */
export function mappedModel(mapping: Record<string, string>, model: string): string {
  const exact = mapping[model];
  if (exact !== undefined) return exact;
  for (const _ in mapping) {
    const p = bestPattern(Object.keys(mapping).filter(isPattern), model);
    return p ? mapping[p]! : model;
  }
  return model;
}
