// Channel type id → provider. The only file that lists vendors.
import { TYPE_ALIASES } from './aliases.ts';
import ali from './ali/index.ts';
import anthropic from './anthropic/index.ts';
import azure from './azure/index.ts';
import baichuan from './baichuan/index.ts';
import baidu from './baidu/index.ts';
import bedrock from './bedrock/index.ts';
import cloudflare from './cloudflare/index.ts';
import cohere from './cohere/index.ts';
import coze from './coze/index.ts';
import custom from './custom/index.ts';
import deepseek from './deepseek/index.ts';
import doubao from './doubao/index.ts';
import gemini from './gemini/index.ts';
import geminiOpenAI from './gemini-openai/index.ts';
import groq from './groq/index.ts';
import lingyiwanwu from './lingyiwanwu/index.ts';
import minimax from './minimax/index.ts';
import mistral from './mistral/index.ts';
import moonshot from './moonshot/index.ts';
import novita from './novita/index.ts';
import ollama from './ollama/index.ts';
import openai from './openai/index.ts';
import openrouter from './openrouter/index.ts';
import siliconflow from './siliconflow/index.ts';
import stepfun from './stepfun/index.ts';
import tencent from './tencent/index.ts';
import together from './together/index.ts';
import type { Provider } from './types.ts';
import vertex from './vertex/index.ts';
import xai from './xai/index.ts';
import zhipu from './zhipu/index.ts';

export { TYPE_ALIASES } from './aliases.ts';

export const providers: Provider[] = [
  openai, azure, custom, anthropic, baidu, zhipu, ali, openrouter, tencent, gemini, moonshot, baichuan, minimax, mistral, groq,
  ollama, lingyiwanwu, stepfun, bedrock, cohere, deepseek, cloudflare, together, doubao, novita, vertex, siliconflow, xai, geminiOpenAI,
  coze,
];

const byType = new Map<number, Provider>();
const bySlug = new Map<string, Provider>();
for (const p of providers) index(p);

function index(p: Provider): void {
  for (const t of p.types) byType.set(t, p);
  bySlug.set(p.id, p);
}

/**
 * Add a vendor at run time (returns its removal): the same one line as an entry in `providers` above, for a
 * vendor whose folder lives outside this tree (the test vendor in test/fixtures/vendors/).
 */
export function registerProvider(p: Provider): () => void {
  if (bySlug.has(p.id) || p.types.some((t) => byType.has(t))) throw new Error(`Provider ${p.id} or one of its types is already registered.`);
  providers.push(p);
  index(p);
  return () => {
    providers.splice(providers.indexOf(p), 1);
    bySlug.delete(p.id);
    for (const t of p.types) byType.delete(t);
  };
}

// Aliased types get the target provider with their own name and default base URL.
const aliasTypes = new Map<string, number[]>();
for (const a of TYPE_ALIASES) {
  const target = bySlug.get(a.provider);
  if (!target || byType.has(a.type)) continue;
  byType.set(a.type, { ...target, types: [a.type], name: a.name, defaultBaseUrl: a.defaultBaseUrl ?? target.defaultBaseUrl });
  aliasTypes.set(a.provider, [...(aliasTypes.get(a.provider) ?? []), a.type]);
}

/** The provider for a channel type (and, for vendors with two APIs, its key); unknown types are treated as OpenAI-compatible. */
export function providerFor(type: number, key?: string): Provider {
  const p = byType.get(type) ?? custom;
  return (key !== undefined && p.forKey?.(key)) || p;
}

export function isKnownType(type: number): boolean {
  return byType.has(type);
}

/** Every known type id with its provider, aliases included, in id order (for the console and docs). */
export function channelTypes(): Array<{ type: number; provider: Provider; aliasOf?: string }> {
  return [...byType.entries()]
    .sort(([a], [b]) => a - b)
    .map(([type, provider]) => (provider.types.length === 1 && TYPE_ALIASES.some((a) => a.type === type) ? { type, provider, aliasOf: provider.id } : { type, provider }));
}

/** Resolve an `X-AI-Provider` value (slug or numeric type id) to the set of type ids it names. */
export function typesForProviderHint(hint: string): Set<number> | null {
  const h = hint.trim().toLowerCase();
  if (/^\d+$/.test(h)) {
    const p = byType.get(Number(h));
    return p ? new Set(p.types) : new Set([Number(h)]);
  }
  const p = bySlug.get(h);
  return p ? new Set([...p.types, ...(aliasTypes.get(p.id) ?? [])]) : null;
}
