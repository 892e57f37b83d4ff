// Gemini's function `parameters` is an OpenAPI subset and rejects some JSON Schema
// keywords clients commonly send, so those are stripped recursively.
const UNSUPPORTED = new Set(['$schema', '$id', 'additionalProperties', 'strict', '$comment']);

export function sanitizeSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(sanitizeSchema);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    if (UNSUPPORTED.has(k)) continue;
    // Under `properties` the keys are field names, not keywords: keep them all.
    out[k] = k === 'properties' && v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).map(([name, sub]) => [name, sanitizeSchema(sub)]))
      : sanitizeSchema(v);
  }
  return out;
}
