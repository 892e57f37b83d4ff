// Field-by-field comparison between what Switchboard holds and what the import wants, so a
// re-run can tell "unchanged" from "updated" and name the fields that moved.

export function changedFields(current: Record<string, unknown>, next: Record<string, unknown>): string[] {
  return Object.keys(next).filter((k) => !same(current[k], next[k]));
}

export function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || a === undefined || b === null || b === undefined) return (a ?? null) === (b ?? null);
  if (a instanceof Date || b instanceof Date) return timeOf(a) === timeOf(b);
  if (typeof a === 'bigint' || typeof b === 'bigint') {
    try {
      return BigInt(a as bigint | number | string) === BigInt(b as bigint | number | string);
    } catch {
      return false;
    }
  }
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => same(v, b[i]));
  if (typeof a === 'object' && typeof b === 'object') return stable(a) === stable(b);
  return false;
}

function timeOf(v: unknown): number {
  return v instanceof Date ? v.getTime() : new Date(v as string | number).getTime();
}

/** JSON with sorted keys: jsonb does not keep key order. */
export function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stable((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}
