// POST /v1/completions (legacy text completions): OpenAI-wire channels only, relayed like
// chat — bytes through, streams scanned for usage (asked for on the client's behalf).
import * as v from 'valibot';
import { countTokens, estimateUsage } from '../../billing/estimate.ts';
import { PassthroughScanner } from '../passthrough-stream.ts';
import type { RelayEndpoint } from '../pipeline.ts';
import { type MeteredUsage, meterOpenAIUsage, type Usage } from '../protocols/openai/types.ts';
import { relayStream, sseHeaders } from '../relay-stream.ts';
import { choicesField, MAX_TOKENS } from '../schemas.ts';
import { parseEvent } from '../sse.ts';
import { type JsonCall, openaiJsonEndpoint, roughTokens } from './openai-json.ts';
import { streamedAnswer } from './respond.ts';
import { jsonBodyFor, upstreamRequest } from './upstream-request.ts';

const Prompt = v.union(
  [v.string(), v.pipe(v.array(v.union([v.string(), v.number(), v.array(v.number())])), v.minLength(1, 'prompt must not be empty'))],
  'prompt is required: a string, an array of strings, or token arrays',
);

const CompletionsSchema = v.looseObject({
  model: v.pipe(v.string('model is required and must be a string'), v.nonEmpty('model must not be empty')),
  prompt: Prompt,
  stream: v.optional(v.nullable(v.boolean('stream must be a boolean'))),
  stream_options: v.optional(v.nullable(v.looseObject({ include_usage: v.optional(v.nullable(v.boolean())) }))),
  max_tokens: v.optional(v.nullable(v.pipe(v.number('max_tokens must be a number'), v.integer('max_tokens must be an integer'), v.minValue(1, 'max_tokens must be at least 1'), v.maxValue(MAX_TOKENS, `max_tokens must be at most ${MAX_TOKENS}`)))),
  n: choicesField('n'),
  // OpenAI: best_of generates this many completions server-side (billed), at most 20.
  best_of: choicesField('best_of', 20),
});

type CompletionsBody = v.InferOutput<typeof CompletionsSchema>;

const promptTokens = (p: CompletionsBody['prompt']) =>
  typeof p === 'string' ? countTokens(p) : p.reduce<number>((n, x) => n + (typeof x === 'string' ? countTokens(x) : Array.isArray(x) ? x.length : 1), 0);

const estimate = (body: CompletionsBody, text: string): MeteredUsage => estimateUsage(promptTokens(body.prompt), text);

const choicesText = (json: unknown) => ((json as { choices?: Array<{ text?: unknown }> }).choices ?? []).map((c) => (typeof c.text === 'string' ? c.text : '')).join('');

const json = openaiJsonEndpoint({
  endpoint: 'completions',
  schema: CompletionsSchema,
  // best_of completions are generated (and billed) server-side, n returned: reserve the larger.
  reservation: (body) => ({ promptTokens: roughTokens(body.prompt), maxTokens: body.max_tokens ?? null, choices: Math.max(body.n ?? 1, body.best_of ?? 1) }),
  bill(answer, body) {
    const usage = meterOpenAIUsage((answer as { usage?: Usage }).usage);
    return usage ? { usage } : { usage: estimate(body, choicesText(answer)), estimated: true };
  },
});

const wantsUsage = (req: JsonCall<CompletionsBody>) => req.body.stream_options?.include_usage === true;

export const completionsEndpoint: RelayEndpoint<JsonCall<CompletionsBody>> = {
  ...json,
  stream: (req) => req.body.stream === true,
  upstream({ channel, target, raw, req, upstreamModel }) {
    const stream = req.body.stream === true;
    // Streams are metered from the usage chunk, which OpenAI sends only when asked.
    const body = stream && !wantsUsage(req)
      ? new TextEncoder().encode(JSON.stringify({ ...req.json, model: upstreamModel, stream_options: { ...req.body.stream_options, include_usage: true } }))
      : jsonBodyFor(raw, req.json, upstreamModel);
    return upstreamRequest(channel, target, { endpoint: 'completions', model: upstreamModel, stream, body, contentType: 'application/json' });
  },
  respond(ctx, attempt) {
    if (!ctx.call.stream) return json.respond(ctx, attempt);
    const scanner = new PassthroughScanner(wantsUsage(ctx.req));
    const stream = relayStream(ctx.gw, ctx.call, attempt, {
      push: (c) => scanner.push(c),
      end: () => scanner.end(),
      usage: () => scanner.usage,
      estimate: () => estimate(ctx.req.body, deliveredText(scanner)),
    });
    return streamedAnswer(stream, sseHeaders(ctx.call));
  },
};

/** Completion chunks carry `choices[].text`, not chat deltas. */
function deliveredText(scanner: PassthroughScanner): string {
  const decoder = new TextDecoder();
  let text = '';
  for (const part of scanner.delivered) {
    for (const raw of decoder.decode(part).split(/\n\n|\r\n\r\n/)) {
      const ev = parseEvent(raw);
      if (!ev || ev.data === '[DONE]') continue;
      try {
        text += choicesText(JSON.parse(ev.data));
      } catch {}
    }
  }
  return text;
}
