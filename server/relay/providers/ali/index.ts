import { openAICompatible } from '../openai-compatible.ts';

// 17 Ali DashScope / 49 Bailian: Qwen's OpenAI-compatible mode.
export default openAICompatible({
  id: 'ali',
  types: [17, 49],
  name: { en: 'Alibaba Qwen (DashScope / Bailian)', zh: '阿里通义千问（百炼）' },
  defaultBaseUrl: 'https://dashscope.aliyuncs.com/compatible-mode/v1',
  prefix: '/compatible-mode/v1',
  keyFormat: 'sk-...',
  models: ['qwen3-max', 'qwen-max', 'qwen-plus', 'qwen-turbo', 'qwen-flash', 'qwen3-coder-plus', 'qwq-plus', 'qwen-vl-max', 'qwen-vl-plus', 'deepseek-v3', 'deepseek-r1', 'text-embedding-v4'],
});
