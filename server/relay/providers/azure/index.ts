// 3 Azure OpenAI: OpenAI's wire format behind per-deployment URLs and an api-key header.
import type { Provider } from '../types.ts';
import { azureUrl } from './url.ts';

const azure: Provider = {
  id: 'azure',
  types: [3],
  name: { en: 'Azure OpenAI', zh: 'Azure OpenAI' },
  defaultBaseUrl: '',
  keyFormat: '32-character resource key',
  configFields: [
    { name: 'api_version', label: { en: 'API version', zh: 'API 版本' }, placeholder: '2024-10-21 | v1', required: false },
    { name: 'deployment', label: { en: 'Deployment (defaults to the model name)', zh: '部署名（默认与模型名相同）' } },
  ],
  models: ['gpt-4o', 'gpt-4o-mini', 'gpt-4.1', 'gpt-4.1-mini', 'gpt-4.1-nano', 'o3', 'o4-mini', 'gpt-5', 'gpt-5-mini', 'gpt-5-nano',
    'text-embedding-3-small', 'text-embedding-3-large', 'dall-e-3', 'gpt-image-1', 'whisper', 'tts'],
  wire: 'openai',
  // The v1 API ("v1" or "preview") serves /responses; classic deployment URLs do not.
  native: { responses: { serves: (config) => /^(v1|preview)$/.test(config.api_version?.trim() ?? '') } },
  url: (target, endpoint, ctx) => azureUrl(target, endpoint, ctx.model),
  headers: (target) => ({ 'api-key': target.key }),
};

export default azure;
