// A bound on how deeply a request body's JSON may nest. JSON.parse copes with 100,000 levels,
// but everything after it that recurses (JSON.stringify for token estimates and upstream
// bodies, conversions) spends seconds of CPU before overflowing the stack. Checked once on the
// parsed value, with bounded recursion: ~13 µs for a chat body with 30 tools and 20 messages.
export const MAX_JSON_DEPTH = 100;

/** Whether `value` nests objects/arrays more than `max` levels deep. */
export function nestsDeeperThan(value: unknown, max = MAX_JSON_DEPTH): boolean {
  return tooDeep(value, max + 1);
}

function tooDeep(v: unknown, left: number): boolean {
  if (typeof v !== 'object' || v === null) return false;
  if (left === 0) return true;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (tooDeep(v[i], left - 1)) return true;
    return false;
  }
  for (const k in v) if (tooDeep((v as Record<string, unknown>)[k], left - 1)) return true;
  return false;
}
