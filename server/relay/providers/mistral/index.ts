import { openAICompatible } from '../openai-compatible.ts';

// 28 Mistral AI.
export default openAICompatible({
  id: 'mistral',
  types: [28],
  name: { en: 'Mistral AI', zh: 'Mistral AI' },
  defaultBaseUrl: 'https://api.mistral.ai/v1',
  models: ['mistral-large-latest', 'mistral-medium-latest', 'mistral-small-latest', 'magistral-medium-latest', 'magistral-small-latest', 'codestral-latest', 'pixtral-large-latest', 'ministral-8b-latest', 'mistral-embed'],
});
