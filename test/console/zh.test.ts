// Every page in 中文 in headless Chromium, scanned for English left over: any Latin word that
// is not a name (of a user, key, channel, model or vendor), a unit or code is a leftover.
// Server errors arrive as codes and are shown in Chinese too.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Browser, Page } from 'playwright-core';
import type { TestGateway } from '../helpers/gateway.ts';
import type { MockOpenAI } from '../mocks/openai.ts';
import { addPricedMockChannel, newContext, relayChats, ROOT_PASSWORD, screenshot, signIn, startConsoleRig, stopConsoleRig, waitText } from './helpers.ts';

const PAGES = ['/', '/calls', '/history', '/channels', '/keys', '/models', '/playground', '/billing', '/codes', '/prices', '/users', '/import', '/audit', '/settings'];

/** Names from the seed data, units, product and protocol names, and code that stays as it is. */
const ALLOWED = [
  // The ADMIN_KEY system account every gateway creates (server/aiproxy/admin-key-account.ts): its name and display name.
  'ADMIN_KEY (FastGPT / AI Proxy API)', 'admin-key',
  'Switchboard', 'One API', 'OpenAI', 'Anthropic', 'Gemini', 'Token', 'API', 'SSE', 'CSV', 'HTTP', 'URL', 'Base', 'USD', 'RPM', 'TPM', 'CIDR', 'DSN',
  'JSON', 'ISO', 'IANA', 'UTC', 'PAT', 'Cookie', 'ID', 'IP', 'English', 'mock', 'gpt', 'mini', 'root', 'carol', 'key', 'unpriced', 'model',
  'promo', 'MySQL', 'PostgreSQL', 'SQLite', 'SQL', 'sk', 'sbp', 'localhost', 'Bearer', 'Azure', 'ADMIN', 'KEY', 'PASSWORD',
];

describe('console in Chinese', () => {
  let g: TestGateway;
  let mock: MockOpenAI;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    ({ g, mock, browser } = await startConsoleRig());
    await addPricedMockChannel(g, mock, ['gpt-4o-mini', 'unpriced-model']);
    await g.admin.users.create.mutate({ username: 'carol', password: 'carol-password', balanceUsd: '3' });
    const { key } = await g.admin.keys.create.mutate({ name: 'carol-key', user: 'carol' });
    await g.admin.billing.codes.create.mutate({ name: 'promo', amountUsd: '1', count: 1 });
    // A cost price, so the cost price list and the Margin view have rows.
    await g.admin.prices.cost.set.mutate({ channelId: (await g.admin.channels.list.query())[0]!.id, model: '*', inputUsdPerM: '0.05', outputUsdPerM: '0.2' });
    await relayChats(g, key, 3, 'hello');
    page = await (await newContext(browser, g.url, { locale: 'zh-CN' })).newPage();
  }, 120_000);

  afterAll(() => stopConsoleRig({ g, mock, browser }));

  /** Latin words in visible text, outside code, inputs and names. */
  const leftovers = () => page.evaluate((seed) => {
    // Names shown as names (monospace, bold, chips, translate="no") are names wherever they appear.
    const names = [...document.querySelectorAll('.mono, code, strong, .chip, [translate=no]')].map((el) => el.textContent?.trim() ?? '').filter((s) => s.length > 2);
    const allowed = [...names.sort((a, b) => b.length - a.length), ...seed];
    const out = new Set<string>();
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || el.closest('.mono, code, pre, script, style, .sr-only, [aria-hidden=true], .chip, .brand, option[value="en"], [data-testid="language-toggle"], [data-testid="whoami"], strong')) continue;
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      let text = n.textContent ?? '';
      for (const a of allowed) text = text.replaceAll(a, ' ');
      for (const w of text.match(/[A-Za-z]{3,}/g) ?? []) out.add(`${w} ← "${(n.textContent ?? '').trim().slice(0, 60)}"`);
    }
    // Labels, placeholders and titles people read too.
    for (const el of document.querySelectorAll('[aria-label], [placeholder], [title]')) {
      if (el.closest('.mono, pre, [aria-hidden=true], .uplot')) continue;
      for (const attr of ['aria-label', 'placeholder', 'title']) {
        let text = el.getAttribute(attr) ?? '';
        for (const a of allowed) text = text.replaceAll(a, ' ');
        // Placeholders show examples of input (model names, URLs, code): skip those with no CJK.
        if (attr !== 'aria-label' && !/[\u4e00-\u9fff]/.test(el.getAttribute(attr) ?? '')) continue;
        for (const w of text.match(/[A-Za-z]{3,}/g) ?? []) out.add(`${w} ← ${attr}="${(el.getAttribute(attr) ?? '').slice(0, 60)}"`);
      }
    }
    return [...out];
  }, ALLOWED);


  test('sign-in errors come back in Chinese', async () => {
    await page.goto('/');
    await page.getByLabel('用户名').fill('root');
    await page.getByLabel('密码').fill('wrong-password');
    await page.getByRole('button', { name: '登录' }).click();
    await waitText(page.getByRole('alert'), '用户名或密码错误');
    expect(await leftovers()).toEqual([]);
    await signIn(page, 'root', ROOT_PASSWORD);
  }, 30_000);

  test('every page has no English left over', async () => {
    const found: Record<string, string[]> = {};
    for (const path of PAGES) {
      await page.goto(path);
      await page.getByRole('heading', { level: 1 }).waitFor();
      await page.waitForFunction(() => !document.querySelector('.spinner'), null, { timeout: 5_000 }).catch(() => {});
      await page.waitForTimeout(200);
      const words = await leftovers();
      if (words.length) found[path] = words;
    }
    await screenshot(page, 'zh-settings');
    expect(found).toEqual({});
  }, 90_000);

  test('validation messages from the server are shown in Chinese', async () => {
    await page.goto('/users');
    await page.getByRole('button', { name: '新建用户' }).click();
    const form = page.getByRole('dialog');
    await form.getByLabel('用户名').fill('x'.repeat(3));
    await form.getByLabel('密码').fill('short');
    await form.getByRole('button', { name: '保存' }).click();
    const err = form.locator('.field .error');
    await err.first().waitFor();
    const texts = await err.allInnerTexts();
    expect(texts.join(' ')).toMatch(/[\u4e00-\u9fff]/);
    expect(texts.join(' ')).not.toMatch(/[A-Za-z]{3,}/);
    // Fixing the field clears its error at once.
    await form.getByLabel('密码').fill('a-long-enough-password');
    expect(await form.getByLabel('密码').getAttribute('aria-invalid')).toBeNull();
    await page.keyboard.press('Escape');
  }, 30_000);
});
