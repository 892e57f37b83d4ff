// The console on a phone (390×844) in headless Chromium: no page is wider than the screen,
// and every drawer and dialog opens fully on screen with its primary button visible.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Browser, Page } from 'playwright-core';
import type { TestGateway } from '../helpers/gateway.ts';
import type { MockOpenAI } from '../mocks/openai.ts';
import { addPricedMockChannel, newContext, relayChats, ROOT_PASSWORD, screenshot, signIn, startConsoleRig, stopConsoleRig } from './helpers.ts';

const WIDTH = 390;
const HEIGHT = 844;
const PAGES = ['/', '/calls', '/history', '/channels', '/keys', '/models', '/playground', '/billing', '/codes', '/prices', '/users', '/import', '/audit', '/settings'];

describe('console on a phone', () => {
  let g: TestGateway;
  let mock: MockOpenAI;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    ({ g, mock, browser } = await startConsoleRig());
    await addPricedMockChannel(g, mock, ['gpt-4o-mini', 'a-model-with-a-very-long-name-indeed'], 'a-channel-with-a-rather-long-name');
    await g.admin.users.create.mutate({ username: 'kim', password: 'kim-password', balanceUsd: '3' });
    const { key } = await g.admin.keys.create.mutate({ name: 'kim-key', user: 'kim', models: ['gpt-4o-mini'], rpm: 60 });
    await g.admin.billing.codes.create.mutate({ name: 'promo', amountUsd: '1', count: 2 });
    // A cost price, so the cost price list and the Margin view have rows.
    await g.admin.prices.cost.set.mutate({ channelId: (await g.admin.channels.list.query())[0]!.id, model: '*', inputUsdPerM: '0.05', outputUsdPerM: '0.2' });
    await relayChats(g, key, 3, 'hello');
    page = await (await newContext(browser, g.url, { phone: true })).newPage();
    await signIn(page, 'root', ROOT_PASSWORD);
  }, 120_000);

  afterAll(() => stopConsoleRig({ g, mock, browser }));

  /** The widest thing on the page: the document's scroll width and any element sticking out. */
  const overflow = () => page.evaluate((width) => {
    const wide = [...document.querySelectorAll('body *')].filter((el) => {
      if (el.closest('.table-wrap, .chart, .uplot, pre, .sidebar, [aria-hidden=true]')) return false;
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.right > width + 1;
    }).slice(0, 5).map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')} right=${Math.round(el.getBoundingClientRect().right)}`);
    return { scrollWidth: document.documentElement.scrollWidth, wide };
  }, WIDTH);

  test('no page is wider than the screen', async () => {
    for (const path of PAGES) {
      await page.goto(path);
      await page.getByRole('heading', { level: 1 }).waitFor();
      await page.waitForFunction(() => !document.querySelector('.spinner'), null, { timeout: 5_000 }).catch(() => {});
      const o = await overflow();
      expect({ path, ...o }).toEqual({ path, scrollWidth: WIDTH, wide: [] });
    }
  }, 90_000);

  /** Open a drawer or dialog, then check it and its primary button are inside the screen. */
  const checkDialog = async (name: string, open: () => Promise<void>, primary: RegExp) => {
    await open();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await page.waitForTimeout(250);
    const box = (await dialog.boundingBox())!;
    const button = dialog.getByRole('button', { name: primary }).last();
    const b = (await button.boundingBox())!;
    await screenshot(page, `phone-${name}`);
    expect({ name, dialogLeft: box.x >= 0, dialogRight: box.x + box.width <= WIDTH + 0.5 }).toEqual({ name, dialogLeft: true, dialogRight: true });
    expect({ name, button: [b.x >= 0, b.x + b.width <= WIDTH, b.y >= 0, b.y + b.height <= HEIGHT] }).toEqual({ name, button: [true, true, true, true] });
    expect(await button.isVisible()).toBe(true);
    expect((await overflow()).scrollWidth).toBe(WIDTH);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
  };

  test('every drawer and dialog is on screen with its primary button visible', async () => {
    await page.goto('/channels');
    await page.locator('tr[data-channel]').first().waitFor();
    await checkDialog('new-channel', () => page.getByTestId('new-channel').click(), /^Save$/);
    await checkDialog('edit-channel', () => page.locator('tr[data-channel]').first().getByRole('button', { name: 'Edit' }).click(), /^Save$/);
    await checkDialog('test-channel', () => page.locator('tr[data-channel]').first().getByRole('button', { name: 'Test', exact: true }).click(), /^Test all/);
    await page.goto('/keys');
    await page.locator('tr[data-key]').first().waitFor();
    await checkDialog('new-key', () => page.getByTestId('new-key-button').click(), /^Create key$/);
    await checkDialog('key-limits', () => page.locator('tr[data-key]').first().getByRole('button', { name: 'Limits' }).click(), /^Save$/);
    await page.goto('/users');
    await page.locator('tr[data-user="kim"]').waitFor();
    await checkDialog('new-user', () => page.getByRole('button', { name: 'New user' }).click(), /^Save$/);
    await checkDialog('adjust-balance', () => page.locator('tr[data-user="kim"]').getByRole('button', { name: 'Adjust balance' }).click(), /^Save$/);
    await page.goto('/history');
    await page.locator('[data-testid="history-table"] tbody tr').first().waitFor();
    await checkDialog('call', () => page.locator('[data-testid="history-table"] tbody tr').first().click(), /^Close$/);
  }, 90_000);
});
