import { openAICompatible } from '../openai-compatible.ts';

// 44 SiliconFlow.
export default openAICompatible({
  id: 'siliconflow',
  types: [44],
  name: { en: 'SiliconFlow', zh: '硅基流动' },
  defaultBaseUrl: 'https://api.siliconflow.cn/v1',
  async balance(api) {
    const j = await api.get('/v1/user/info');
    const total = j.data?.totalBalance ?? j.data?.balance;
    if (total === undefined) throw new Error('SiliconFlow returned no balance.');
    return { amount: String(total), currency: 'CNY' };
  },
  models: ['deepseek-ai/DeepSeek-V3', 'deepseek-ai/DeepSeek-R1', 'Qwen/Qwen3-235B-A22B', 'Qwen/Qwen2.5-72B-Instruct', 'THUDM/GLM-4-9B-0414', 'moonshotai/Kimi-K2-Instruct', 'BAAI/bge-m3', 'BAAI/bge-reranker-v2-m3'],
});
