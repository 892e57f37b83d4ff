import { openAICompatible } from '../openai-compatible.ts';

// 45 xAI (Grok).
export default openAICompatible({
  id: 'xai',
  types: [45],
  name: { en: 'xAI Grok', zh: 'xAI Grok' },
  defaultBaseUrl: 'https://api.x.ai/v1',
  keyFormat: 'xai-...',
  models: ['grok-4', 'grok-4-fast-reasoning', 'grok-4-fast-non-reasoning', 'grok-code-fast-1', 'grok-3', 'grok-3-mini', 'grok-2-image-1212'],
});
