import { openAICompatible } from '../openai-compatible.ts';

// 25 Moonshot (Kimi).
export default openAICompatible({
  id: 'moonshot',
  types: [25],
  name: { en: 'Moonshot (Kimi)', zh: '月之暗面 Kimi' },
  defaultBaseUrl: 'https://api.moonshot.cn/v1',
  keyFormat: 'sk-...',
  // api.moonshot.cn bills in CNY, api.moonshot.ai in USD.
  async balance(api, channel) {
    const j = await api.get('/v1/users/me/balance');
    const available = j.data?.available_balance;
    if (available === undefined) throw new Error('Moonshot returned no available_balance.');
    return { amount: String(available), currency: new URL(channel.baseUrl).hostname.endsWith('.ai') ? 'USD' : 'CNY' };
  },
  models: ['kimi-k2-0905-preview', 'kimi-k2-turbo-preview', 'kimi-latest', 'kimi-thinking-preview', 'moonshot-v1-8k', 'moonshot-v1-32k', 'moonshot-v1-128k'],
});
