// Every page renders for an admin with data in it, is screenshotted (light, dark and phone) to
// test/artifacts/, and passes the in-page accessibility checks: labelled inputs, named and
// focusable controls, body text contrast ≥ 4.5:1.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Browser, Page } from 'playwright-core';
import type { TestGateway } from '../helpers/gateway.ts';
import type { MockOpenAI } from '../mocks/openai.ts';
import { addPricedMockChannel, checkA11y, newContext, relayChats, ROOT_PASSWORD, screenshot, signIn, startConsoleRig, stopConsoleRig } from './helpers.ts';

const PAGES = [
  { path: '/', name: 'dashboard', heading: 'Dashboard' },
  { path: '/calls', name: 'live', heading: 'Live calls' },
  { path: '/history', name: 'history', heading: 'Call history' },
  { path: '/channels', name: 'channels', heading: 'Channels' },
  { path: '/keys', name: 'keys', heading: 'API keys' },
  { path: '/models', name: 'models', heading: 'Models' },
  { path: '/playground', name: 'playground', heading: 'Playground' },
  { path: '/billing', name: 'billing', heading: 'Billing' },
  { path: '/codes', name: 'codes', heading: 'Redemption codes' },
  { path: '/prices', name: 'prices', heading: 'Models & prices' },
  { path: '/users', name: 'users', heading: 'Users & groups' },
  { path: '/import', name: 'import', heading: 'Import from One API' },
  { path: '/audit', name: 'audit', heading: 'Audit log' },
  { path: '/settings', name: 'settings', heading: 'Settings' },
];

describe('console pages', () => {
  let g: TestGateway;
  let mock: MockOpenAI;
  let browser: Browser;

  beforeAll(async () => {
    ({ g, mock, browser } = await startConsoleRig());
    await addPricedMockChannel(g, mock, ['gpt-4o-mini', 'unpriced-model']);
    await g.admin.users.create.mutate({ username: 'carol', password: 'carol-password', balanceUsd: '3' });
    const { key } = await g.admin.keys.create.mutate({ name: 'carol-key', user: 'carol' });
    await relayChats(g, key, 3, 'hello');
  }, 120_000);

  afterAll(() => stopConsoleRig({ g, mock, browser }));

  const visit = async (page: Page, p: (typeof PAGES)[number]) => {
    await page.goto(p.path);
    await page.getByRole('heading', { level: 1 }).waitFor();
    // Let resources settle so the screenshot shows data, not spinners.
    await page.waitForFunction(() => !document.querySelector('.spinner, [role=status].empty'), null, { timeout: 5_000 });
  };

  test('each page in light mode: screenshot and accessibility checks', async () => {
    const ctx = await newContext(browser, g.url);
    const page = await ctx.newPage();
    await signIn(page, 'root', ROOT_PASSWORD);
    for (const p of PAGES) {
      await visit(page, p);
      expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe(p.heading);
      await screenshot(page, `${p.name}-light`);
      const report = await checkA11y(page);
      expect({ page: p.name, ...report }).toEqual({ page: p.name, unlabeled: [], unnamed: [], unfocusable: [], lowContrast: [] });
    }
    // The prices page warns about a model a channel serves without a price.
    await page.goto('/prices');
    expect(await page.getByTestId('missing-prices').innerText()).toContain('unpriced-model');
    // Keyboard: Tab from the top reaches the skip link first, then the navigation.
    await page.goto('/');
    await page.getByRole('heading', { level: 1 }).waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await ctx.close();
  }, 90_000);

  test('dark theme (following the system) also passes contrast, and the sign-in page too', async () => {
    const ctx = await newContext(browser, g.url, { colorScheme: 'dark' });
    const page = await ctx.newPage();
    await page.goto('/');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await screenshot(page, 'signin-dark');
    expect((await checkA11y(page)).lowContrast).toEqual([]);
    await signIn(page, 'root', ROOT_PASSWORD);
    for (const p of PAGES.filter((x) => ['dashboard', 'live', 'billing'].includes(x.name))) {
      await visit(page, p);
      await screenshot(page, `${p.name}-dark`);
      expect({ page: p.name, lowContrast: (await checkA11y(page)).lowContrast }).toEqual({ page: p.name, lowContrast: [] });
    }
    await ctx.close();
  }, 60_000);

  test('on a phone the sidebar is collapsed behind a menu button', async () => {
    const ctx = await newContext(browser, g.url, { phone: true });
    const page = await ctx.newPage();
    await signIn(page, 'root', ROOT_PASSWORD);
    const menu = page.getByRole('button', { name: 'Open menu' });
    expect(await menu.isVisible()).toBe(true);
    const sidebarBox = async () => (await page.locator('#sidebar').boundingBox())!;
    expect((await sidebarBox()).x + (await sidebarBox()).width).toBeLessThanOrEqual(1);
    await screenshot(page, 'dashboard-phone');
    await menu.click();
    await page.waitForTimeout(300);
    expect((await sidebarBox()).x).toBeGreaterThanOrEqual(0);
    await screenshot(page, 'nav-phone');
    await page.getByRole('link', { name: 'Live calls' }).click();
    await page.getByRole('heading', { name: 'Live calls' }).waitFor();
    // Navigating closes the menu again.
    await page.waitForTimeout(300);
    expect((await sidebarBox()).x + (await sidebarBox()).width).toBeLessThanOrEqual(1);
    await ctx.close();
  }, 45_000);
});
