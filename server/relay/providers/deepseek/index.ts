import { openAICompatible } from '../openai-compatible.ts';

// 36 DeepSeek. deepseek-reasoner returns `reasoning_content`, which the OpenAI-wire
// pass-through keeps in both streamed and whole responses.
export default openAICompatible({
  id: 'deepseek',
  types: [36],
  name: { en: 'DeepSeek', zh: '深度求索 DeepSeek' },
  defaultBaseUrl: 'https://api.deepseek.com',
  keyFormat: 'sk-...',
  models: ['deepseek-chat', 'deepseek-reasoner'],
});
