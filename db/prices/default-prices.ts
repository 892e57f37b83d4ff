// The default price table: list prices of current models of the major vendors, in USD
// per 1M tokens (images per image, TTS per 1M characters, STT per minute), copied from
// each vendor's public price page named in `source`, as consulted on `checked`.
// Seeded once on first start (server/billing/seed-prices.ts); operators edit every entry
// afterwards and a seeded model is never overwritten. Vendors change prices: check the
// source before relying on an entry. CNY-only list prices are converted at CNY_PER_USD.

export const DEFAULT_PRICES_VERSION = '2026-12-03';

/** Conversion used for vendors that publish CNY prices only. */
export const CNY_PER_USD = '7.2';

export interface DefaultPrice {
  model: string;
  vendor: string;
  input: string;
  output: string;
  cacheRead?: string;
  cacheWrite5m?: string;
  cacheWrite1h?: string;
  perRequest?: string;
  /** Long-context tier: above `threshold` prompt tokens these apply to the whole call. */
  longContext?: { threshold: number; input: string; output: string; cacheRead?: string; cacheWrite5m?: string; cacheWrite1h?: string };
  /** USD per image by `"<size>|<quality>"`. */
  image?: Record<string, string>;
  ttsPerMChars?: string;
  sttPerMinute?: string;
  source: string;
  checked: string;
  note?: string;
}

const CHECKED = '2026-11-25';
const OPENAI = 'https://platform.openai.com/docs/pricing';
const ANTHROPIC = 'https://platform.claude.com/docs/en/about-claude/pricing';
const GEMINI = 'https://ai.google.dev/gemini-api/docs/pricing';
const DEEPSEEK = 'https://api-docs.deepseek.com/quick_start/pricing-details-usd';
const QWEN = 'https://www.alibabacloud.com/help/en/model-studio/models';
const DOUBAO = 'https://www.volcengine.com/docs/82379/1544106';
const ZHIPU = 'https://docs.z.ai/guides/overview/pricing';
const MOONSHOT = 'https://platform.moonshot.ai/docs/pricing/chat';
const MISTRAL = 'https://mistral.ai/pricing#api-pricing';
const XAI = 'https://docs.x.ai/docs/models';

const openai = (model: string, input: string, cacheRead: string | undefined, output: string): DefaultPrice =>
  ({ model, vendor: 'OpenAI', input, output, ...(cacheRead ? { cacheRead } : {}), source: OPENAI, checked: CHECKED });

// Anthropic: 5-minute cache writes at 1.25x input, 1-hour at 2x, cache hits at 0.1x.
const claude = (model: string, input: string, w5m: string, w1h: string, hit: string, output: string, extra: Partial<DefaultPrice> = {}): DefaultPrice =>
  ({ model, vendor: 'Anthropic', input, output, cacheRead: hit, cacheWrite5m: w5m, cacheWrite1h: w1h, source: ANTHROPIC, checked: CHECKED, ...extra });

// Sonnet 4 / 4.5 with the 1M context window: prompts above 200K tokens at 2x input, 1.5x output.
const SONNET_LONG = { threshold: 200_000, input: '6', output: '22.5', cacheRead: '0.6', cacheWrite5m: '7.5', cacheWrite1h: '12' };

// Default models of the coding agents (issue 18), checked 2026-12-03:
// - Claude: the list price table built into @anthropic-ai/claude-code 2.1.332 (tiers
//   tier_5_25, tier_4_20_cache_read_0_20, tier_2_10, haiku_55), which matches ANTHROPIC.
// - GPT-5.6 Sol/Terra/Luna: OpenAI's preview list prices as published on 2026-06-26
//   (reported e.g. https://apimaster.ai/blog/gpt-56-sol-terra-luna-preview-2026, 2026-06-27).
// - Gemini 3.1: https://cloudprice.net/models/vertex_ai%2Fgemini-3.1-pro-preview (mirrors GEMINI).
// Entries marked "assumed" had no published price in any source reachable from here.
const AGENTS_CHECKED = '2026-12-03';
const CLAUDE_CODE_TABLE = 'list price table in @anthropic-ai/claude-code 2.1.332';
const HAIKU_55_LONG = { threshold: 100_000, input: '0.5', output: '2.5', cacheRead: '0.05', cacheWrite5m: '0.625', cacheWrite1h: '1' };
const GPT56 = 'https://apimaster.ai/blog/gpt-56-sol-terra-luna-preview-2026';
const GEMINI31 = 'https://cloudprice.net/models/vertex_ai%2Fgemini-3.1-pro-preview';
const agent = (p: DefaultPrice): DefaultPrice => ({ ...p, checked: AGENTS_CHECKED });

export const DEFAULT_PRICES: DefaultPrice[] = [
  // Claude Code 2.1.332: default claude-opus-5-5; --model sonnet/haiku/opus.
  agent(claude('claude-opus-5-5', '4', '5', '8', '0.2', '20', { note: CLAUDE_CODE_TABLE })),
  agent(claude('claude-opus-5', '5', '6.25', '10', '0.5', '25', { note: CLAUDE_CODE_TABLE })),
  agent(claude('claude-opus-4-8', '5', '6.25', '10', '0.5', '25', { note: CLAUDE_CODE_TABLE })),
  agent(claude('claude-sonnet-5-5', '2', '2.5', '4', '0.1', '10', { note: CLAUDE_CODE_TABLE })),
  agent(claude('claude-sonnet-5', '2', '2.5', '4', '0.2', '10', { note: CLAUDE_CODE_TABLE })),
  agent(claude('claude-haiku-5-5', '0.1', '0.125', '0.2', '0.01', '0.5', { longContext: HAIKU_55_LONG, note: CLAUDE_CODE_TABLE })),
  // Codex CLI 0.171.0: default gpt-6.2-sol.
  agent({ ...openai('gpt-5.6-sol', '5', '0.5', '30'), source: GPT56 }),
  agent({ ...openai('gpt-5.6-terra', '2.5', '0.25', '15'), source: GPT56 }),
  agent({ ...openai('gpt-5.6-luna', '1', '0.1', '6'), source: GPT56 }),
  agent({ ...openai('gpt-6.2-sol', '5', '0.5', '30'), source: OPENAI, note: 'assumed: no published price found; set to gpt-5.6-sol list price, verify on the source' }),
  // Gemini CLI 0.61.0: default gemini-3.1-pro-preview, routing classifier gemini-3.5-flash-lite.
  agent({ model: 'gemini-3.1-pro-preview', vendor: 'Google', input: '2', output: '12', cacheRead: '0.2', source: GEMINI31, checked: AGENTS_CHECKED }),
  agent({ model: 'gemini-3.1-flash-lite', vendor: 'Google', input: '0.25', output: '1.5', cacheRead: '0.025', source: GEMINI31, checked: AGENTS_CHECKED }),
  agent({ model: 'gemini-3.5-flash-lite', vendor: 'Google', input: '0.25', output: '1.5', cacheRead: '0.025', source: GEMINI, checked: AGENTS_CHECKED, note: 'assumed: no published price found; set to gemini-3.1-flash-lite list price, verify on the source' }),

  openai('gpt-5.5', '5', '0.5', '30'),
  openai('gpt-5.4', '2.5', '0.25', '15'),
  openai('gpt-5.4-mini', '0.75', '0.075', '4.5'),
  openai('gpt-5.4-nano', '0.2', '0.02', '1.25'),
  openai('gpt-4.1', '2', '0.5', '8'),
  openai('gpt-4.1-mini', '0.4', '0.1', '1.6'),
  openai('gpt-4.1-nano', '0.1', '0.025', '0.4'),
  openai('gpt-4o', '2.5', '1.25', '10'),
  openai('gpt-4o-mini', '0.15', '0.075', '0.6'),
  openai('o3', '2', '0.5', '8'),
  openai('o4-mini', '1.1', '0.275', '4.4'),
  openai('text-embedding-3-small', '0.02', undefined, '0'),
  openai('text-embedding-3-large', '0.13', undefined, '0'),
  {
    model: 'dall-e-3', vendor: 'OpenAI', input: '0', output: '0', source: OPENAI, checked: CHECKED,
    image: { '1024x1024|standard': '0.04', '1024x1024|hd': '0.08', '1024x1792|standard': '0.08', '1792x1024|standard': '0.08', '1024x1792|hd': '0.12', '1792x1024|hd': '0.12' },
  },
  { model: 'tts-1', vendor: 'OpenAI', input: '0', output: '0', ttsPerMChars: '15', source: OPENAI, checked: CHECKED },
  { model: 'tts-1-hd', vendor: 'OpenAI', input: '0', output: '0', ttsPerMChars: '30', source: OPENAI, checked: CHECKED },
  { model: 'whisper-1', vendor: 'OpenAI', input: '0', output: '0', sttPerMinute: '0.006', source: OPENAI, checked: CHECKED },

  claude('claude-opus-4-5', '5', '6.25', '10', '0.5', '25'),
  claude('claude-opus-4-6', '5', '6.25', '10', '0.5', '25'),
  claude('claude-opus-4-7', '5', '6.25', '10', '0.5', '25'),
  claude('claude-opus-4-1', '15', '18.75', '30', '1.5', '75'),
  claude('claude-sonnet-4-6', '3', '3.75', '6', '0.3', '15'),
  claude('claude-sonnet-4-5', '3', '3.75', '6', '0.3', '15', { longContext: SONNET_LONG }),
  claude('claude-sonnet-4-0', '3', '3.75', '6', '0.3', '15', { longContext: SONNET_LONG }),
  claude('claude-haiku-4-5', '1', '1.25', '2', '0.1', '5'),
  claude('claude-3-5-haiku-latest', '0.8', '1', '1.6', '0.08', '4'),

  {
    model: 'gemini-2.5-pro', vendor: 'Google', input: '1.25', output: '10', cacheRead: '0.125', source: GEMINI, checked: CHECKED,
    longContext: { threshold: 200_000, input: '2.5', output: '15', cacheRead: '0.25' }, note: 'output includes thinking tokens',
  },
  { model: 'gemini-2.5-flash', vendor: 'Google', input: '0.3', output: '2.5', cacheRead: '0.03', source: GEMINI, checked: CHECKED, note: 'text/image/video input; audio input is dearer' },
  { model: 'gemini-2.5-flash-lite', vendor: 'Google', input: '0.1', output: '0.4', cacheRead: '0.01', source: GEMINI, checked: CHECKED },

  { model: 'deepseek-chat', vendor: 'DeepSeek', input: '0.27', output: '1.1', cacheRead: '0.07', source: DEEPSEEK, checked: CHECKED },
  { model: 'deepseek-reasoner', vendor: 'DeepSeek', input: '0.55', output: '2.19', cacheRead: '0.14', source: DEEPSEEK, checked: CHECKED, note: 'output includes chain-of-thought tokens' },

  { model: 'qwen-max', vendor: 'Alibaba Qwen', input: '1.6', output: '6.4', source: QWEN, checked: CHECKED, note: 'international (Singapore) list price' },
  { model: 'qwen-plus', vendor: 'Alibaba Qwen', input: '0.4', output: '1.2', source: QWEN, checked: CHECKED, note: 'international list price, prompts up to 256K' },
  { model: 'qwen-turbo', vendor: 'Alibaba Qwen', input: '0.05', output: '0.2', source: QWEN, checked: CHECKED, note: 'international list price' },

  {
    model: 'doubao-seed-1-6', vendor: 'ByteDance Doubao', input: '0.111111', output: '1.111111', source: DOUBAO, checked: CHECKED,
    note: `CNY 0.8 / 8 per 1M tokens (input up to 32K) at ${CNY_PER_USD} CNY/USD`,
  },

  { model: 'glm-4.5', vendor: 'Zhipu', input: '0.6', output: '2.2', cacheRead: '0.11', source: ZHIPU, checked: CHECKED },
  { model: 'glm-4.5-air', vendor: 'Zhipu', input: '0.2', output: '1.1', cacheRead: '0.03', source: ZHIPU, checked: CHECKED },

  { model: 'kimi-k2-0905-preview', vendor: 'Moonshot', input: '0.6', output: '2.5', cacheRead: '0.15', source: MOONSHOT, checked: CHECKED },
  { model: 'kimi-k2-turbo-preview', vendor: 'Moonshot', input: '1.15', output: '8', cacheRead: '0.15', source: MOONSHOT, checked: CHECKED },
  { model: 'kimi-k2-thinking', vendor: 'Moonshot', input: '0.6', output: '2.5', cacheRead: '0.15', source: MOONSHOT, checked: CHECKED },

  { model: 'mistral-large-latest', vendor: 'Mistral', input: '2', output: '6', source: MISTRAL, checked: CHECKED },
  { model: 'mistral-medium-latest', vendor: 'Mistral', input: '0.4', output: '2', source: MISTRAL, checked: CHECKED },
  { model: 'mistral-small-latest', vendor: 'Mistral', input: '0.1', output: '0.3', source: MISTRAL, checked: CHECKED },
  { model: 'codestral-latest', vendor: 'Mistral', input: '0.3', output: '0.9', source: MISTRAL, checked: CHECKED },
  { model: 'magistral-medium-latest', vendor: 'Mistral', input: '2', output: '5', source: MISTRAL, checked: CHECKED },

  {
    model: 'grok-4', vendor: 'xAI', input: '3', output: '15', cacheRead: '0.75', source: XAI, checked: CHECKED,
    longContext: { threshold: 128_000, input: '6', output: '30', cacheRead: '0.75' },
  },
  { model: 'grok-3', vendor: 'xAI', input: '3', output: '15', cacheRead: '0.75', source: XAI, checked: CHECKED },
  { model: 'grok-3-mini', vendor: 'xAI', input: '0.3', output: '0.5', cacheRead: '0.075', source: XAI, checked: CHECKED },
];
