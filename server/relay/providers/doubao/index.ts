import { openAICompatible } from '../openai-compatible.ts';

// 40 Doubao (Volcengine Ark): OpenAI wire at /api/v3. The model may be a model id or an
// endpoint id (`ep-…`); both go in `model` unchanged.
export default openAICompatible({
  id: 'doubao',
  types: [40],
  name: { en: 'Doubao (Volcengine Ark)', zh: '字节豆包（火山方舟）' },
  defaultBaseUrl: 'https://ark.cn-beijing.volces.com/api/v3',
  prefix: '/api/v3',
  models: ['doubao-seed-1-6-250615', 'doubao-seed-1-6-flash-250715', 'doubao-seed-1-6-thinking-250715', 'doubao-1-5-pro-32k-250115', 'doubao-1-5-lite-32k-250115', 'deepseek-v3-1-250821', 'doubao-embedding-text-240715'],
});
