import { openAICompatible } from '../openai-compatible.ts';

// 36 DeepSeek. deepseek-reasoner returns `reasoning_content`, which the OpenAI-wire
// pass-through keeps in both streamed and whole responses.
export default openAICompatible({
  id: 'deepseek',
  types: [36],
  name: { en: 'DeepSeek', zh: '深度求索 DeepSeek' },
  defaultBaseUrl: 'https://api.deepseek.com',
  keyFormat: 'sk-...',
  // https://api-docs.deepseek.com/api/create-chat-completion: max_tokens (no
  // max_completion_tokens), temperature 0–2, no reasoning_effort (the model decides).
  params: { temperatureMax: 2, maxTokensField: () => 'max_tokens', reasoningEffort: () => false },
  models: ['deepseek-chat', 'deepseek-reasoner'],
});
