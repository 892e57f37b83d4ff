import { openAICompatible } from '../openai-compatible.ts';
import { dashboardBalance } from '../openai-compatible-balance.ts';

// Reasoning models (o-series, gpt-5 family) take reasoning_effort; GPT-4-era models reject it.
const reasoning = (model: string) => /^(o\d|gpt-5|codex)/.test(model);

export default openAICompatible({
  id: 'openai',
  types: [1],
  name: { en: 'OpenAI', zh: 'OpenAI' },
  defaultBaseUrl: 'https://api.openai.com',
  keyFormat: 'sk-...',
  // OpenAI serves the Responses API itself.
  native: { responses: {} },
  balance: dashboardBalance,
  // https://platform.openai.com/docs/api-reference/chat/create: `user` is at most 64 characters
  // (a longer one is a 400); max_tokens is deprecated and refused by reasoning models in favour
  // of max_completion_tokens, which every current model accepts; temperature is 0–2.
  params: {
    userMaxLength: 64,
    temperatureMax: 2,
    maxTokensField: () => 'max_completion_tokens',
    reasoningEffort: reasoning,
  },
  models: ['gpt-4o', 'gpt-4o-mini', 'gpt-4.1', 'gpt-4.1-mini', 'gpt-4.1-nano', 'o3', 'o4-mini', 'gpt-5', 'gpt-5-mini', 'gpt-5-nano',
    'text-embedding-3-small', 'text-embedding-3-large', 'gpt-image-1', 'dall-e-3', 'tts-1', 'gpt-4o-mini-tts', 'whisper-1', 'omni-moderation-latest'],
});
