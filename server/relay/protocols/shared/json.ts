// Defensive readers for vendor JSON: upstream bodies are untrusted `unknown`.

export type Json = Record<string, unknown>;

export function isRecord(x: unknown): x is Json {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

export function asRecord(x: unknown): Json {
  return isRecord(x) ? x : {};
}

export function asArray(x: unknown): unknown[] {
  return Array.isArray(x) ? x : [];
}

export function asString(x: unknown): string | undefined {
  return typeof x === 'string' ? x : undefined;
}

export function count(x: unknown): number {
  return typeof x === 'number' && Number.isFinite(x) && x > 0 ? Math.floor(x) : 0;
}

export function tryParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Tool-call arguments arrive as a JSON string; vendors want an object. */
export function parseArguments(args: string | undefined): Json {
  const v = args ? tryParse(args) : undefined;
  return isRecord(v) ? v : {};
}
