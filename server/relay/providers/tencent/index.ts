import { openAICompatible } from '../openai-compatible.ts';

// 23 Tencent Hunyuan: the OpenAI-compatible endpoint (bearer API key), not the
// TC3-signed tencentcloudapi.com API that One API used.
export default openAICompatible({
  id: 'tencent',
  types: [23],
  name: { en: 'Tencent Hunyuan', zh: '腾讯混元' },
  defaultBaseUrl: 'https://api.hunyuan.cloud.tencent.com/v1',
  keyFormat: 'sk-...',
  // One API's default host is the TC3-signed API; the OpenAI endpoint lives elsewhere.
  baseUrl: (base) => base.replace(/^https?:\/\/hunyuan\.tencentcloudapi\.com(\/.*)?$/, 'https://api.hunyuan.cloud.tencent.com/v1'),
  models: ['hunyuan-turbos-latest', 'hunyuan-t1-latest', 'hunyuan-large', 'hunyuan-standard', 'hunyuan-lite', 'hunyuan-vision', 'hunyuan-embedding'],
});
