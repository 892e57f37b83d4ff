import { openAICompatible } from '../openai-compatible.ts';
import type { Provider } from '../types.ts';
import { hunyuanApi } from './hunyuan-api.ts';
import { tencentSecrets } from './tc3.ts';

// 23 Tencent Hunyuan: the OpenAI-compatible endpoint (bearer API key); a One API key
// `AppId|SecretId|SecretKey` selects the TC3-signed tencentcloudapi.com API (hunyuan-api.ts).
const tencent: Provider = openAICompatible({
  id: 'tencent',
  types: [23],
  name: { en: 'Tencent Hunyuan', zh: '腾讯混元' },
  defaultBaseUrl: 'https://api.hunyuan.cloud.tencent.com/v1',
  keyFormat: 'sk-...',
  // One API's default host is the TC3-signed API; the OpenAI endpoint lives elsewhere.
  baseUrl: (base) => base.replace(/^https?:\/\/hunyuan\.tencentcloudapi\.com(\/.*)?$/, 'https://api.hunyuan.cloud.tencent.com/v1'),
  models: ['hunyuan-turbos-latest', 'hunyuan-t1-latest', 'hunyuan-large', 'hunyuan-standard', 'hunyuan-lite', 'hunyuan-vision', 'hunyuan-embedding'],
});

tencent.forKey = (key) => (tencentSecrets(key) ? hunyuanApi : undefined);

export default tencent;
