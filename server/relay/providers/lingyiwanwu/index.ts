import { openAICompatible } from '../openai-compatible.ts';

// 31 01.AI (Lingyiwanwu, Yi models).
export default openAICompatible({
  id: 'lingyiwanwu',
  types: [31],
  name: { en: '01.AI (Yi)', zh: '零一万物' },
  defaultBaseUrl: 'https://api.lingyiwanwu.com/v1',
  models: ['yi-lightning', 'yi-large', 'yi-medium', 'yi-vision-v2', 'yi-large-fc'],
});
