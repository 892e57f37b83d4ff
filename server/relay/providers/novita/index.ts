import { openAICompatible } from '../openai-compatible.ts';

// 41 Novita AI: OpenAI wire at /v3/openai.
export default openAICompatible({
  id: 'novita',
  types: [41],
  name: { en: 'Novita AI', zh: 'Novita AI' },
  defaultBaseUrl: 'https://api.novita.ai/v3/openai',
  prefix: '/v3/openai',
  models: ['deepseek/deepseek-v3-0324', 'deepseek/deepseek-r1-0528', 'meta-llama/llama-3.3-70b-instruct', 'qwen/qwen3-235b-a22b-fp8', 'moonshotai/kimi-k2-instruct'],
});
