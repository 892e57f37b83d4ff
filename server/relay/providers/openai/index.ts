import { openAICompatible } from '../openai-compatible.ts';
import { dashboardBalance } from '../openai-compatible-balance.ts';

export default openAICompatible({
  id: 'openai',
  types: [1],
  name: { en: 'OpenAI', zh: 'OpenAI' },
  defaultBaseUrl: 'https://api.openai.com',
  keyFormat: 'sk-...',
  // OpenAI serves the Responses API itself.
  native: { responses: {} },
  balance: dashboardBalance,
  models: ['gpt-4o', 'gpt-4o-mini', 'gpt-4.1', 'gpt-4.1-mini', 'gpt-4.1-nano', 'o3', 'o4-mini', 'gpt-5', 'gpt-5-mini', 'gpt-5-nano',
    'text-embedding-3-small', 'text-embedding-3-large', 'gpt-image-1', 'dall-e-3', 'tts-1', 'gpt-4o-mini-tts', 'whisper-1', 'omni-moderation-latest'],
});
