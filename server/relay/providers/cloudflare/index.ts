import { openAICompatible } from '../openai-compatible.ts';

// 37 Cloudflare Workers AI: OpenAI-compatible under the account's /ai/v1 path.
export default openAICompatible({
  id: 'cloudflare',
  types: [37],
  name: { en: 'Cloudflare Workers AI', zh: 'Cloudflare Workers AI' },
  defaultBaseUrl: 'https://api.cloudflare.com',
  keyFormat: 'API token',
  configFields: [{ name: 'account_id', label: { en: 'Account id', zh: '账户 ID' }, required: true }],
  baseUrl: (base, config) => {
    const b = base.replace(/\/+$/, '');
    if (/\/accounts\/[^/]+\/ai/.test(b)) return /\/ai$/.test(b) ? `${b}/v1` : b;
    return `${b}/client/v4/accounts/${config.account_id ?? ''}/ai/v1`;
  },
  models: ['@cf/meta/llama-3.3-70b-instruct-fp8-fast', '@cf/meta/llama-3.1-8b-instruct', '@cf/openai/gpt-oss-120b', '@cf/qwen/qwq-32b', '@cf/deepseek-ai/deepseek-r1-distill-qwen-32b', '@cf/baai/bge-m3'],
});
