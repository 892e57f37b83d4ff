// One API channel types without a native adapter here, mapped to the closest provider.
// Most are OpenAI resellers (OpenAI wire at their own host); a few are products whose
// native APIs are not supported and only work through an OpenAI-compatible proxy.

export interface TypeAlias {
  type: number;
  name: { en: string; zh: string };
  /** Slug of the provider that serves this type. */
  provider: string;
  /** Replaces the provider's default base URL (One API's default for this type). */
  defaultBaseUrl?: string;
  note: string;
}

const RESELLER = 'OpenAI reseller: OpenAI wire at its own host.';

export const TYPE_ALIASES: TypeAlias[] = [
  { type: 2, name: { en: 'API2D', zh: 'API2D' }, provider: 'openai-compatible', defaultBaseUrl: 'https://oa.api2d.net', note: RESELLER },
  { type: 4, name: { en: 'CloseAI', zh: 'CloseAI' }, provider: 'openai-compatible', defaultBaseUrl: 'https://api.closeai-proxy.xyz', note: RESELLER },
  { type: 5, name: { en: 'OpenAI-SB', zh: 'OpenAI-SB' }, provider: 'openai-compatible', defaultBaseUrl: 'https://api.openai-sb.com', note: RESELLER },
  { type: 6, name: { en: 'OpenAI Max', zh: 'OpenAI Max' }, provider: 'openai-compatible', defaultBaseUrl: 'https://api.openaimax.com', note: RESELLER },
  { type: 7, name: { en: 'OhMyGPT', zh: 'OhMyGPT' }, provider: 'openai-compatible', defaultBaseUrl: 'https://api.ohmygpt.com', note: RESELLER },
  { type: 9, name: { en: 'AI.LS', zh: 'AI.LS' }, provider: 'openai-compatible', defaultBaseUrl: 'https://api.caipacity.com', note: RESELLER },
  { type: 10, name: { en: 'AI Proxy', zh: 'AI Proxy' }, provider: 'openai-compatible', defaultBaseUrl: 'https://api.aiproxy.io', note: RESELLER },
  { type: 11, name: { en: 'Google PaLM (retired)', zh: 'Google PaLM（已下线）' }, provider: 'gemini', note: 'PaLM is retired; same host and key serve Gemini.' },
  { type: 12, name: { en: 'API2GPT', zh: 'API2GPT' }, provider: 'openai-compatible', defaultBaseUrl: 'https://api.api2gpt.com', note: RESELLER },
  { type: 13, name: { en: 'AIGC2D', zh: 'AIGC2D' }, provider: 'openai-compatible', defaultBaseUrl: 'https://api.aigc2d.com', note: RESELLER },
  { type: 18, name: { en: 'iFlytek Spark', zh: '讯飞星火' }, provider: 'openai-compatible', defaultBaseUrl: 'https://spark-api-open.xf-yun.com/v1', note: 'Spark HTTP API is OpenAI wire; key is the APIPassword. The legacy WebSocket API is not supported.' },
  { type: 19, name: { en: '360 AI', zh: '360 智脑' }, provider: 'openai-compatible', defaultBaseUrl: 'https://api.360.cn/v1', note: '360 智脑 serves OpenAI wire at /v1.' },
  { type: 21, name: { en: 'AI Proxy Library', zh: 'AI Proxy 知识库' }, provider: 'openai-compatible', defaultBaseUrl: 'https://api.aiproxy.io', note: 'Knowledge-base API not supported; treated as an OpenAI-compatible endpoint.' },
  { type: 22, name: { en: 'FastGPT', zh: 'FastGPT' }, provider: 'openai-compatible', defaultBaseUrl: 'https://fastgpt.run/api/openapi', note: 'FastGPT apps expose OpenAI-style chat completions.' },
  { type: 38, name: { en: 'DeepL', zh: 'DeepL' }, provider: 'openai-compatible', defaultBaseUrl: 'https://api-free.deepl.com', note: 'Translation API, not chat: not supported natively.' },
  { type: 43, name: { en: 'Proxy', zh: '代理' }, provider: 'openai-compatible', note: 'Pass-through to the operator\'s OpenAI-compatible URL.' },
  { type: 46, name: { en: 'Replicate', zh: 'Replicate' }, provider: 'openai-compatible', defaultBaseUrl: 'https://api.replicate.com', note: 'Replicate\'s predictions API is not supported; use an OpenAI-compatible bridge.' },
  { type: 48, name: { en: 'iFlytek Spark v2', zh: '讯飞星火 v2' }, provider: 'openai-compatible', defaultBaseUrl: 'https://spark-api-open.xf-yun.com/v1', note: 'Same OpenAI-wire Spark HTTP API as 18.' },
];
