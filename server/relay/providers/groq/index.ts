import { openAICompatible } from '../openai-compatible.ts';

// 29 Groq: OpenAI wire under /openai/v1. One API's default base stops at /openai, which
// the generic version check would take as complete, so /v1 is added explicitly.
export default openAICompatible({
  id: 'groq',
  types: [29],
  name: { en: 'Groq', zh: 'Groq' },
  defaultBaseUrl: 'https://api.groq.com/openai/v1',
  keyFormat: 'gsk_...',
  baseUrl: (base) => (/\/openai$/.test(base.replace(/\/+$/, '')) ? `${base.replace(/\/+$/, '')}/v1` : base),
  models: ['llama-3.3-70b-versatile', 'llama-3.1-8b-instant', 'openai/gpt-oss-120b', 'openai/gpt-oss-20b', 'moonshotai/kimi-k2-instruct-0905', 'qwen/qwen3-32b', 'meta-llama/llama-4-maverick-17b-128e-instruct', 'whisper-large-v3'],
});
