import { expect, test } from 'bun:test';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import zhipu from '../../server/relay/providers/zhipu/index.ts';
import { signZhipuToken } from '../../server/relay/providers/zhipu/jwt.ts';
import type { ChannelTarget } from '../../server/relay/providers/types.ts';

const target = (key: string, baseUrl = 'https://open.bigmodel.cn/api/paas/v4'): ChannelTarget => ({ id: 1, type: 16, baseUrl, key, config: {} });
const ctx = { model: 'glm-4.5', stream: false };

test('JWT: HS256 with sign_type SIGN, api_key claim, millisecond exp and timestamp', async () => {
  const now = 1_750_000_000_000;
  const token = await signZhipuToken('abc123.s3cr3t', now);
  expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS256', sign_type: 'SIGN' });
  // Verified with the secret; exp is in ms, so jose sees it far in the future.
  const { payload } = await jwtVerify(token, new TextEncoder().encode('s3cr3t'));
  expect(payload).toEqual({ api_key: 'abc123', exp: now + 3_600_000, timestamp: now });
  await expect(jwtVerify(token, new TextEncoder().encode('wrong'))).rejects.toThrow();
});

test('headers: id.secret keys become a cached JWT; plain keys pass as bearer', async () => {
  const a = await zhipu.headers(target('abc123.s3cr3t'), ctx);
  const b = await zhipu.headers(target('abc123.s3cr3t'), ctx);
  expect(a.authorization).toMatch(/^Bearer eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
  expect(b.authorization).toBe(a.authorization!);
  expect(await zhipu.headers(target('plain-api-key'), ctx)).toEqual({ authorization: 'Bearer plain-api-key' });
});

test('url: /api/paas/v4 default, One API bare host, pasted full path', () => {
  expect(zhipu.url(target('k'), 'chat/completions', ctx)).toBe('https://open.bigmodel.cn/api/paas/v4/chat/completions');
  expect(zhipu.url(target('k', 'https://open.bigmodel.cn'), 'chat/completions', ctx)).toBe('https://open.bigmodel.cn/api/paas/v4/chat/completions');
  expect(zhipu.url(target('k', 'https://open.bigmodel.cn/api/paas/v4/chat/completions'), 'chat/completions', ctx)).toBe('https://open.bigmodel.cn/api/paas/v4/chat/completions');
  expect(zhipu.url(target('k'), 'embeddings', ctx)).toBe('https://open.bigmodel.cn/api/paas/v4/embeddings');
});
