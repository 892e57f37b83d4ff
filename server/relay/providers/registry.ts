// Channel type id → provider. The only file that lists vendors.
import custom from './custom/index.ts';
import openai from './openai/index.ts';
import type { Provider } from './types.ts';

export const providers: Provider[] = [openai, custom];

const byType = new Map<number, Provider>();
const bySlug = new Map<string, Provider>();
for (const p of providers) {
  for (const t of p.types) byType.set(t, p);
  bySlug.set(p.id, p);
}

/** The provider for a channel type; unknown types are treated as OpenAI-compatible. */
export function providerFor(type: number): Provider {
  return byType.get(type) ?? custom;
}

export function isKnownType(type: number): boolean {
  return byType.has(type);
}

/** Resolve an `X-AI-Provider` value (slug or numeric type id) to the set of type ids it names. */
export function typesForProviderHint(hint: string): Set<number> | null {
  const h = hint.trim().toLowerCase();
  if (/^\d+$/.test(h)) {
    const p = byType.get(Number(h));
    return p ? new Set(p.types) : new Set([Number(h)]);
  }
  const p = bySlug.get(h);
  return p ? new Set(p.types) : null;
}
