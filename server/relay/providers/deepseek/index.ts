import { openAICompatible } from '../openai-compatible.ts';

// 36 DeepSeek. deepseek-reasoner returns `reasoning_content`, which the OpenAI-wire
// pass-through keeps in both streamed and whole responses.
export default openAICompatible({
  id: 'deepseek',
  types: [36],
  name: { en: 'DeepSeek', zh: '深度求索 DeepSeek' },
  defaultBaseUrl: 'https://api.deepseek.com',
  keyFormat: 'sk-...',
  // https://api-docs.deepseek.com/api/get-user-balance
  async balance(api) {
    const j = await api.get('/user/balance');
    const infos = (j.balance_infos ?? []) as Array<{ currency: string; total_balance: string }>;
    const info = infos.find((b) => b.currency === 'USD') ?? infos[0];
    if (!info) throw new Error('DeepSeek returned no balance_infos.');
    return { amount: String(info.total_balance), currency: info.currency };
  },
  // https://api-docs.deepseek.com/api/create-chat-completion: max_tokens (no
  // max_completion_tokens), temperature 0–2, no reasoning_effort (the model decides).
  params: { temperatureMax: 2, maxTokensField: () => 'max_tokens', reasoningEffort: () => false },
  models: ['deepseek-chat', 'deepseek-reasoner'],
});
