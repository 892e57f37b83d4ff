import { openAICompatible } from '../openai-compatible.ts';

// 30 Ollama: its OpenAI-compatible API at /v1; local servers usually need no key.
export default openAICompatible({
  id: 'ollama',
  types: [30],
  name: { en: 'Ollama', zh: 'Ollama' },
  defaultBaseUrl: 'http://localhost:11434',
  keyFormat: '(none)',
  models: ['llama3.2', 'llama3.3', 'qwen3', 'gemma3', 'deepseek-r1', 'gpt-oss:20b', 'mistral', 'nomic-embed-text'],
});
