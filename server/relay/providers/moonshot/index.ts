import { openAICompatible } from '../openai-compatible.ts';

// 25 Moonshot (Kimi).
export default openAICompatible({
  id: 'moonshot',
  types: [25],
  name: { en: 'Moonshot (Kimi)', zh: '月之暗面 Kimi' },
  defaultBaseUrl: 'https://api.moonshot.cn/v1',
  keyFormat: 'sk-...',
  models: ['kimi-k2-0905-preview', 'kimi-k2-turbo-preview', 'kimi-latest', 'kimi-thinking-preview', 'moonshot-v1-8k', 'moonshot-v1-32k', 'moonshot-v1-128k'],
});
