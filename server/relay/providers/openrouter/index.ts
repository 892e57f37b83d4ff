import { openAICompatible } from '../openai-compatible.ts';

// 20 OpenRouter.
export default openAICompatible({
  id: 'openrouter',
  types: [20],
  name: { en: 'OpenRouter', zh: 'OpenRouter' },
  defaultBaseUrl: 'https://openrouter.ai/api/v1',
  prefix: '/v1',
  keyFormat: 'sk-or-v1-...',
  async balance(api) {
    const j = await api.get('/api/v1/credits');
    const d = j.data ?? {};
    return { amount: api.decimal(api.nano(d.total_credits) - api.nano(d.total_usage)), currency: 'USD' };
  },
  models: ['openai/gpt-4o', 'openai/gpt-5', 'anthropic/claude-sonnet-4.5', 'google/gemini-2.5-pro', 'google/gemini-2.5-flash', 'deepseek/deepseek-chat-v3.1', 'meta-llama/llama-3.3-70b-instruct', 'x-ai/grok-4'],
});
