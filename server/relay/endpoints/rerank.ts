// POST /v1/rerank in the Cohere/Jina shape. Billed per search (per_search; a search is one
// query against up to 100 documents, as Cohere counts search units), else per token when
// the upstream reports tokens (Jina, SiliconFlow), else per token counted locally.
import * as v from 'valibot';
import { countTokens } from '../../billing/estimate.ts';
import { searchCost } from '../../billing/unit-pricing.ts';
import { ZERO_USAGE } from '../protocols/openai/types.ts';
import { asRecord, count } from '../protocols/shared/json.ts';
import { openaiJsonEndpoint, roughTokens } from './openai-json.ts';

const DOCS_PER_SEARCH = 100;

const Document = v.union([v.string(), v.looseObject({ text: v.string() })], 'each document must be a string or an object with text');

const RerankSchema = v.looseObject({
  model: v.pipe(v.string('model is required and must be a string'), v.nonEmpty('model must not be empty')),
  query: v.pipe(v.string('query is required and must be a string'), v.nonEmpty('query must not be empty')),
  documents: v.pipe(v.array(Document, 'documents is required and must be an array'), v.minLength(1, 'documents must not be empty')),
  top_n: v.optional(v.pipe(v.number('top_n must be a number'), v.integer('top_n must be an integer'), v.minValue(1, 'top_n must be at least 1'))),
});

type RerankBody = v.InferOutput<typeof RerankSchema>;

const searchesOf = (body: RerankBody) => Math.ceil(body.documents.length / DOCS_PER_SEARCH);
const docText = (d: RerankBody['documents'][number]) => (typeof d === 'string' ? d : d.text);

export const rerankEndpoint = openaiJsonEndpoint({
  endpoint: 'rerank',
  schema: RerankSchema,
  reservation(body, price, ppm) {
    const cost = searchCost(searchesOf(body), price, ppm);
    return cost !== null ? { amount: cost } : { promptTokens: roughTokens(body.documents.map(docText)) + roughTokens(body.query) * body.documents.length, maxTokens: 0 };
  },
  bill(answer, body, call) {
    const a = asRecord(answer);
    const billed = asRecord(asRecord(a.meta).billed_units);
    const u = asRecord(a.usage);
    const tokens = count(u.total_tokens ?? u.prompt_tokens ?? billed.input_tokens);
    const usage = tokens ? { ...ZERO_USAGE, input: tokens } : null;
    // No price: an ADMIN_KEY call let through unpriced (server/relay/admission.ts).
    const cost = call.price ? searchCost(count(billed.search_units) || searchesOf(body), call.price, call.multiplierPpm) : null;
    if (cost !== null) return { usage, cost };
    if (usage) return { usage };
    const local = body.documents.reduce((n, d) => n + countTokens(body.query) + countTokens(docText(d)), 0);
    return { usage: { ...ZERO_USAGE, input: local }, estimated: true };
  },
});
