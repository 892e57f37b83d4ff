import { expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { channelTypes, isKnownType, providerFor, providers, TYPE_ALIASES, typesForProviderHint } from '../../server/relay/providers/registry.ts';
import type { ChannelTarget, Provider } from '../../server/relay/providers/types.ts';

const REQUIRED = [1, 3, 8, 14, 15, 47, 16, 17, 49, 20, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 35, 36, 37, 39, 40, 41, 42, 44, 45, 50, 51];

function chatUrl(type: number, baseUrl?: string, config: Record<string, string> = {}): string {
  const p = providerFor(type);
  const target: ChannelTarget = { id: 1, type, baseUrl: baseUrl ?? p.defaultBaseUrl, key: 'k', config };
  return p.url(target, 'chat/completions', { model: 'm', stream: false });
}

test('every required type has a native entry; every One API id 1–51 resolves', () => {
  for (const t of REQUIRED) expect(providers.some((p) => p.types.includes(t))).toBe(true);
  for (let t = 1; t <= 51; t++) expect(isKnownType(t)).toBe(true);
  expect(isKnownType(0)).toBe(false);
});

test('each provider declares identity, names in both languages, auth and a wire', () => {
  const slugs = new Set<string>();
  for (const p of providers) {
    expect(p.id).toMatch(/^[a-z0-9-]+$/);
    expect(slugs.has(p.id)).toBe(false);
    slugs.add(p.id);
    expect(p.name.en.length * p.name.zh.length).toBeGreaterThan(0);
    expect(['openai', 'native']).toContain(p.wire);
    if (p.wire === 'native') expect(p.chat).toBeDefined();
    // Coze's "models" are the operator's own bots (`bot-<id>`): there is no catalogue to offer.
    if (!['openai-compatible', 'coze'].includes(p.id)) expect(p.models.length).toBeGreaterThan(0);
  }
});

test('OpenAI-wire vendors: default chat URLs', () => {
  const expected: Record<number, string> = {
    1: 'https://api.openai.com/v1/chat/completions',
    15: 'https://qianfan.baidubce.com/v2/chat/completions',
    47: 'https://qianfan.baidubce.com/v2/chat/completions',
    16: 'https://open.bigmodel.cn/api/paas/v4/chat/completions',
    17: 'https://dashscope.aliyuncs.com/compatible-mode/v1/chat/completions',
    49: 'https://dashscope.aliyuncs.com/compatible-mode/v1/chat/completions',
    20: 'https://openrouter.ai/api/v1/chat/completions',
    23: 'https://api.hunyuan.cloud.tencent.com/v1/chat/completions',
    25: 'https://api.moonshot.cn/v1/chat/completions',
    26: 'https://api.baichuan-ai.com/v1/chat/completions',
    27: 'https://api.minimaxi.com/v1/chat/completions',
    28: 'https://api.mistral.ai/v1/chat/completions',
    29: 'https://api.groq.com/openai/v1/chat/completions',
    30: 'http://localhost:11434/v1/chat/completions',
    31: 'https://api.lingyiwanwu.com/v1/chat/completions',
    32: 'https://api.stepfun.com/v1/chat/completions',
    35: 'https://api.cohere.ai/compatibility/v1/chat/completions',
    36: 'https://api.deepseek.com/v1/chat/completions',
    39: 'https://api.together.xyz/v1/chat/completions',
    40: 'https://ark.cn-beijing.volces.com/api/v3/chat/completions',
    41: 'https://api.novita.ai/v3/openai/chat/completions',
    44: 'https://api.siliconflow.cn/v1/chat/completions',
    45: 'https://api.x.ai/v1/chat/completions',
    51: 'https://generativelanguage.googleapis.com/v1beta/openai/chat/completions',
    2: 'https://oa.api2d.net/v1/chat/completions',
    18: 'https://spark-api-open.xf-yun.com/v1/chat/completions',
  };
  for (const [type, url] of Object.entries(expected)) expect(`${type} ${chatUrl(Number(type))}`).toBe(`${type} ${url}`);
});

test('base URL quirks: One API defaults, with/without version, pasted full path', () => {
  // One API's own defaults for these types.
  expect(chatUrl(29, 'https://api.groq.com/openai')).toBe('https://api.groq.com/openai/v1/chat/completions');
  expect(chatUrl(17, 'https://dashscope.aliyuncs.com')).toBe('https://dashscope.aliyuncs.com/compatible-mode/v1/chat/completions');
  expect(chatUrl(40, 'https://ark.cn-beijing.volces.com')).toBe('https://ark.cn-beijing.volces.com/api/v3/chat/completions');
  expect(chatUrl(15, 'https://aip.baidubce.com')).toBe('https://qianfan.baidubce.com/v2/chat/completions');
  expect(chatUrl(23, 'https://hunyuan.tencentcloudapi.com')).toBe('https://api.hunyuan.cloud.tencent.com/v1/chat/completions');
  expect(chatUrl(35, 'https://api.cohere.ai')).toBe('https://api.cohere.ai/compatibility/v1/chat/completions');
  expect(chatUrl(35, 'https://api.cohere.com/v1')).toBe('https://api.cohere.com/compatibility/v1/chat/completions');
  expect(chatUrl(51, 'https://generativelanguage.googleapis.com')).toBe('https://generativelanguage.googleapis.com/v1beta/openai/chat/completions');
  expect(chatUrl(36, 'https://api.deepseek.com/v1/')).toBe('https://api.deepseek.com/v1/chat/completions');
  expect(chatUrl(25, 'https://api.moonshot.cn/v1/chat/completions')).toBe('https://api.moonshot.cn/v1/chat/completions');
  expect(chatUrl(50, 'https://my-llm.internal:8443')).toBe('https://my-llm.internal:8443/v1/chat/completions');
});

test('Cloudflare: account id from config, or already in the base URL', () => {
  expect(chatUrl(37, undefined, { account_id: 'acc123' })).toBe('https://api.cloudflare.com/client/v4/accounts/acc123/ai/v1/chat/completions');
  expect(chatUrl(37, 'https://api.cloudflare.com/client/v4/accounts/acc9/ai/v1')).toBe('https://api.cloudflare.com/client/v4/accounts/acc9/ai/v1/chat/completions');
  expect(chatUrl(37, 'https://api.cloudflare.com/client/v4/accounts/acc9/ai')).toBe('https://api.cloudflare.com/client/v4/accounts/acc9/ai/v1/chat/completions');
});

test('auth headers: bearer by default, none for keyless Ollama, Qianfan appid', async () => {
  const headers = (p: Provider, key: string, config: Record<string, string> = {}) => p.headers({ id: 1, type: p.types[0]!, baseUrl: p.defaultBaseUrl, key, config }, { model: 'm', stream: false });
  expect(await headers(providerFor(36), 'sk-ds')).toEqual({ authorization: 'Bearer sk-ds' });
  expect(await headers(providerFor(30), '')).toEqual({});
  expect(await headers(providerFor(47), 'bce-v3/ALTAK/x', { appid: 'app-1' })).toEqual({ authorization: 'Bearer bce-v3/ALTAK/x', appid: 'app-1' });
  expect(await headers(providerFor(24), 'AIza')).toEqual({ 'x-goog-api-key': 'AIza' });
});

test('aliases: resolve to their target with their own name and default base URL', () => {
  const api2d = providerFor(2);
  expect(api2d.id).toBe('openai-compatible');
  expect(api2d.name.en).toBe('API2D');
  expect(api2d.defaultBaseUrl).toBe('https://oa.api2d.net');
  expect(providerFor(11).id).toBe('gemini');
  expect(providerFor(11).wire).toBe('native');
  expect(providerFor(999).id).toBe('openai-compatible');
  expect(typesForProviderHint('openai-compatible')?.has(2)).toBe(true);
  expect(typesForProviderHint('baidu')).toEqual(new Set([47, 15]));
  expect(typesForProviderHint('33')).toEqual(new Set([33]));
  expect(typesForProviderHint('nope')).toBeNull();
  expect(channelTypes().find((c) => c.type === 2)?.aliasOf).toBe('openai-compatible');
  expect(channelTypes().find((c) => c.type === 1)?.aliasOf).toBeUndefined();
});

test('docs/vendors.md lists every type id and every alias', () => {
  const doc = readFileSync(join(import.meta.dir, '..', '..', 'docs', 'vendors.md'), 'utf8');
  for (const { type } of channelTypes()) expect(`${type}: ${new RegExp(`^\\| ${type} \\|`, 'm').test(doc)}`).toBe(`${type}: true`);
  for (const a of TYPE_ALIASES) expect(doc).toContain(a.name.en);
});
