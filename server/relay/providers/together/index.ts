import { openAICompatible } from '../openai-compatible.ts';

// 39 together.ai.
export default openAICompatible({
  id: 'together',
  types: [39],
  name: { en: 'together.ai', zh: 'together.ai' },
  defaultBaseUrl: 'https://api.together.xyz/v1',
  models: ['meta-llama/Llama-3.3-70B-Instruct-Turbo', 'deepseek-ai/DeepSeek-V3', 'deepseek-ai/DeepSeek-R1', 'Qwen/Qwen2.5-72B-Instruct-Turbo', 'openai/gpt-oss-120b', 'moonshotai/Kimi-K2-Instruct'],
});
