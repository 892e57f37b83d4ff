// 16 Zhipu GLM (open.bigmodel.cn): OpenAI wire at /api/paas/v4; `id.secret` keys are
// exchanged for a signed JWT, anything else is sent as a plain bearer key.
import { openAICompatible } from '../openai-compatible.ts';
import type { Provider } from '../types.ts';
import { isIdSecretKey, zhipuToken } from './jwt.ts';

const base = openAICompatible({
  id: 'zhipu',
  types: [16],
  name: { en: 'Zhipu GLM', zh: '智谱 GLM' },
  defaultBaseUrl: 'https://open.bigmodel.cn/api/paas/v4',
  prefix: '/api/paas/v4',
  keyFormat: 'id.secret',
  models: ['glm-4.6', 'glm-4.5', 'glm-4.5-air', 'glm-4.5-flash', 'glm-4.5v', 'glm-4-plus', 'glm-4-air-250414', 'glm-4-flash-250414', 'glm-z1-air', 'embedding-3'],
});

const zhipu: Provider = {
  ...base,
  async headers(target) {
    const key = target.key.trim();
    return { authorization: `Bearer ${isIdSecretKey(key) ? await zhipuToken(key) : key}` };
  },
};

export default zhipu;
