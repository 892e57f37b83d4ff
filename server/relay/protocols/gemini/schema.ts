// Valibot schema for an inbound Gemini GenerateContentRequest
// (`POST /v1beta/models/{model}:generateContent` and `:streamGenerateContent`).
// Google's JSON mapping accepts snake_case field names as well as camelCase (curl examples use
// `system_instruction`, `inline_data`), so parse() normalises keys before validating.
import * as v from 'valibot';
import { badRequest } from '../openai/errors.ts';
import { MAX_TOKENS } from '../openai/types.ts';

const Blob = v.looseObject({ mimeType: v.string(), data: v.string() });
const FileData = v.looseObject({ mimeType: v.optional(v.string()), fileUri: v.string() });
const FunctionCall = v.looseObject({ name: v.string(), args: v.optional(v.nullable(v.record(v.string(), v.unknown()))), id: v.optional(v.string()) });
const FunctionResponse = v.looseObject({ name: v.string(), response: v.record(v.string(), v.unknown()), id: v.optional(v.string()) });

const DATA_FIELDS = ['text', 'inlineData', 'fileData', 'functionCall', 'functionResponse', 'executableCode', 'codeExecutionResult'] as const;

const Part = v.pipe(
  v.looseObject({
    text: v.optional(v.string()),
    inlineData: v.optional(Blob),
    fileData: v.optional(FileData),
    functionCall: v.optional(FunctionCall),
    functionResponse: v.optional(FunctionResponse),
    thought: v.optional(v.boolean()),
    thoughtSignature: v.optional(v.string()),
  }),
  v.check((part) => DATA_FIELDS.some((f) => part[f] !== undefined), `each part needs one of ${DATA_FIELDS.join(', ')}`),
);

const Content = v.looseObject({
  role: v.optional(v.picklist(['user', 'model', 'function'], 'role must be "user" or "model"')),
  parts: v.array(Part),
});

const FunctionDeclaration = v.looseObject({
  name: v.pipe(v.string(), v.minLength(1)),
  description: v.optional(v.string()),
  parameters: v.optional(v.record(v.string(), v.unknown())),
  parametersJsonSchema: v.optional(v.unknown()),
});

const Tool = v.looseObject({ functionDeclarations: v.optional(v.array(FunctionDeclaration)) });

const ToolConfig = v.looseObject({
  functionCallingConfig: v.optional(
    v.looseObject({
      mode: v.optional(v.picklist(['MODE_UNSPECIFIED', 'AUTO', 'ANY', 'NONE', 'VALIDATED'])),
      allowedFunctionNames: v.optional(v.array(v.string())),
    }),
  ),
});

const GenerationConfig = v.looseObject({
  maxOutputTokens: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(MAX_TOKENS, `maxOutputTokens must be at most ${MAX_TOKENS}`))),
  temperature: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(2))),
  topP: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(1))),
  topK: v.optional(v.number()),
  stopSequences: v.optional(v.array(v.string())),
  candidateCount: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
  presencePenalty: v.optional(v.number()),
  frequencyPenalty: v.optional(v.number()),
  seed: v.optional(v.number()),
  responseMimeType: v.optional(v.string()),
  responseSchema: v.optional(v.record(v.string(), v.unknown())),
  responseJsonSchema: v.optional(v.unknown()),
  thinkingConfig: v.optional(
    v.looseObject({
      thinkingBudget: v.optional(v.number()),
      includeThoughts: v.optional(v.boolean()),
      thinkingLevel: v.optional(v.string()),
    }),
  ),
});

export const GenerateContentRequestSchema = v.looseObject({
  model: v.optional(v.string()),
  contents: v.pipe(v.array(Content), v.minLength(1, 'contents must not be empty')),
  systemInstruction: v.optional(v.looseObject({ role: v.optional(v.string()), parts: v.array(Part) })),
  tools: v.optional(v.array(Tool)),
  toolConfig: v.optional(ToolConfig),
  generationConfig: v.optional(GenerationConfig),
  safetySettings: v.optional(v.array(v.unknown())),
  cachedContent: v.optional(v.string()),
});

export type GenerateContentRequest = v.InferOutput<typeof GenerateContentRequestSchema>;
export type GeminiContent = v.InferOutput<typeof Content>;
export type GeminiPart = v.InferOutput<typeof Part>;

const MAX_DEPTH = 512;

// Keys whose values are user data (function args, JSON Schemas), never renamed.
const OPAQUE = new Set(['args', 'response', 'parametersJsonSchema', 'responseJsonSchema', 'default', 'example', 'enum']);

/** snake_case → camelCase for field names, leaving user data and schema property names alone. */
export function normalizeKeys(value: unknown, depth = 0): unknown {
  // Hostile bodies nest 100k deep; recursing that far overflows the stack (a 500).
  if (depth > MAX_DEPTH) throw badRequest('Request body is nested too deeply.', 'invalid_request');
  if (Array.isArray(value)) return value.map((v) => normalizeKeys(v, depth + 1));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [rawKey, child] of Object.entries(value)) {
    const key = rawKey.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    if (OPAQUE.has(key)) out[key] = child;
    else if (key === 'properties' && child !== null && typeof child === 'object' && !Array.isArray(child)) {
      out[key] = Object.fromEntries(Object.entries(child).map(([name, schema]) => [name, normalizeKeys(schema, depth + 2)]));
    } else out[key] = normalizeKeys(child, depth + 1);
  }
  return out;
}
