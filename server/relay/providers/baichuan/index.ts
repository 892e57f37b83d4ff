import { openAICompatible } from '../openai-compatible.ts';

// 26 Baichuan.
export default openAICompatible({
  id: 'baichuan',
  types: [26],
  name: { en: 'Baichuan', zh: '百川智能' },
  defaultBaseUrl: 'https://api.baichuan-ai.com/v1',
  keyFormat: 'sk-...',
  models: ['Baichuan4-Turbo', 'Baichuan4-Air', 'Baichuan4', 'Baichuan3-Turbo', 'Baichuan3-Turbo-128k', 'Baichuan-Text-Embedding'],
});
