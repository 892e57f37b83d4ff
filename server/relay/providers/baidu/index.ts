import { openAICompatible } from '../openai-compatible.ts';
import type { Provider } from '../types.ts';
import { baiduKeyPair } from './access-token.ts';
import { wenxinV1 } from './wenxin-v1.ts';

// 15 Baidu / 47 Baidu v2: Qianfan ModelBuilder v2 speaks OpenAI's format at /v2 with a
// bearer API key (`bce-v3/…`). A v1 `AK|SK` key (One API's Baidu channels) selects the v1
// wenxinworkshop API with an OAuth access token (wenxin-v1.ts).
const baidu: Provider = openAICompatible({
  id: 'baidu',
  types: [47, 15],
  name: { en: 'Baidu Qianfan (ERNIE)', zh: '百度千帆（文心）' },
  defaultBaseUrl: 'https://qianfan.baidubce.com/v2',
  prefix: '/v2',
  keyFormat: 'bce-v3/ALTAK-.../...',
  configFields: [{ name: 'appid', label: { en: 'App id (optional)', zh: '应用 ID（可选）' } }],
  models: ['ernie-4.5-turbo-128k', 'ernie-4.5-turbo-32k', 'ernie-x1-turbo-32k', 'ernie-4.0-turbo-8k', 'ernie-speed-128k', 'ernie-lite-8k', 'deepseek-v3', 'deepseek-r1', 'embedding-v1'],
  // One API's type 15 default (aip.baidubce.com) is the retired v1 host.
  baseUrl: (base) => base.replace(/^https?:\/\/aip\.baidubce\.com(\/.*)?$/, 'https://qianfan.baidubce.com/v2'),
  extraHeadersFrom: (config): Record<string, string> => (config.appid ? { appid: config.appid } : {}),
});

baidu.forKey = (key) => (baiduKeyPair(key) ? wenxinV1 : undefined);

export default baidu;
