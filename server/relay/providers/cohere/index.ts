import { openAICompatible } from '../openai-compatible.ts';

// 35 Cohere: the Compatibility API (OpenAI wire) at /compatibility/v1.
export default openAICompatible({
  id: 'cohere',
  types: [35],
  name: { en: 'Cohere', zh: 'Cohere' },
  defaultBaseUrl: 'https://api.cohere.ai/compatibility/v1',
  prefix: '/compatibility/v1',
  // A bare `/v1` base is Cohere's native API, not the compatibility one.
  baseUrl: (base) => base.replace(/\/+$/, '').replace(/^(https?:\/\/[^/]+)\/v\d+$/, '$1'),
  models: ['command-a-03-2025', 'command-a-reasoning-08-2025', 'command-a-vision-07-2025', 'command-r-plus-08-2024', 'command-r-08-2024', 'command-r7b-12-2024', 'embed-v4.0'],
});
