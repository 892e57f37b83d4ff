// The console in headless Chromium against a real gateway and a local mock upstream:
// sign in, create a channel through the form and test it, create a key and copy it, watch
// a relayed call arrive on the Live page within 1 s with the balance updating, check that a
// user never sees another user's calls, switch to zh-CN.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import OpenAI from 'openai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { TestGateway } from '../helpers/gateway.ts';
import type { MockOpenAI } from '../mocks/openai.ts';
import { newContext, ROOT_PASSWORD, screenshot, signIn, startConsoleRig, stopConsoleRig, until, waitText } from './helpers.ts';

describe('console flows', () => {
  let g: TestGateway;
  let mock: MockOpenAI;
  let browser: Browser;
  let admin: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    ({ g, mock, browser } = await startConsoleRig());
    admin = await newContext(browser, g.url);
    page = await admin.newPage();
  }, 120_000);

  afterAll(() => stopConsoleRig({ g, mock, browser }));

  test('sign in as root', async () => {
    await page.goto('/');
    await page.getByText('First start? Where is the root password?').waitFor();
    await page.getByLabel('Username').fill('root');
    await page.getByLabel('Password').fill('wrong-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await waitText(page.getByRole('alert'), 'Wrong username or password');
    await signIn(page, 'root', ROOT_PASSWORD);
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    expect(await page.getByTestId('whoami').innerText()).toContain('root');
  }, 30_000);

  test('create a channel against the mock through the form, then test every model', async () => {
    await page.getByRole('link', { name: 'Channels' }).click();
    await page.getByTestId('new-channel').click();
    const form = page.getByRole('dialog');
    await form.getByLabel('Vendor', { exact: true }).selectOption('1');
    await form.getByLabel('Name', { exact: true }).fill('mock-openai');
    await form.getByLabel('Base URL').fill(mock.url);
    await form.getByLabel('Key pool').fill('sk-upstream-one\nsk-upstream-two');
    // A built-in preset of the OpenAI vendor, plus a custom model.
    await form.getByRole('button', { name: 'gpt-4o-mini', exact: true }).click();
    await form.getByLabel('Custom models').fill('my-custom-model');
    await form.getByRole('button', { name: 'Add', exact: true }).click();
    await waitText(form.getByTestId('selected-models'), 'my-custom-model');
    await form.getByRole('button', { name: 'Save' }).click();
    await form.waitFor({ state: 'hidden' });

    const row = page.locator('tr[data-channel="mock-openai"]');
    await waitText(row, 'gpt-4o-mini');
    const channels = await g.admin.channels.list.query();
    expect(channels[0]).toMatchObject({ name: 'mock-openai', type: 1, baseUrl: mock.url, models: ['gpt-4o-mini', 'my-custom-model'] });
    expect(channels[0]!.keys).toHaveLength(2);

    await row.getByRole('button', { name: 'Test' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByTestId('run-test').click();
    await waitText(dialog.getByTestId('test-progress'), '2 of 2 tested · 2 passed', 15_000);
    expect(await dialog.locator('tr[data-model="gpt-4o-mini"]').getAttribute('data-state')).toBe('ok');
    const tested = mock.requests.filter((r) => r.path.endsWith('/chat/completions')).map((r) => r.body.model);
    expect(tested.sort()).toEqual(['gpt-4o-mini', 'my-custom-model']);
    await screenshot(page, 'channel-test');
    await dialog.getByRole('button', { name: 'Close' }).first().click();
    // The last test latency now shows in the list.
    await waitText(row.getByTestId('last-test'), /\d+ ms|\d+\.\d+ s/);
  }, 45_000);

  test('a user creates a key, copies it, and sees their call live with the balance updating', async () => {
    await g.admin.prices.set.mutate({ model: 'gpt-4o-mini', inputUsdPerM: '1000', outputUsdPerM: '2000' });
    await g.admin.users.create.mutate({ username: 'alice', password: 'alice-password', balanceUsd: '10' });
    const ctx = await newContext(browser, g.url);
    const alice = await ctx.newPage();
    await signIn(alice, 'alice', 'alice-password');
    await waitText(alice.getByTestId('topbar-balance'), '$10.00');

    await alice.getByRole('link', { name: 'API keys' }).click();
    await alice.getByTestId('new-key-button').click();
    await alice.getByRole('dialog').getByLabel('Name').fill('laptop');
    await alice.getByRole('button', { name: 'Create key' }).click();
    const reveal = alice.getByRole('dialog', { name: 'Your new API key' });
    await reveal.waitFor();
    const shown = await reveal.getByLabel('API key').inputValue();
    expect(shown).toMatch(/^sk-/);
    expect(await reveal.getByLabel('Endpoint (OpenAI-compatible base URL)').inputValue()).toBe(`${g.url}/v1`);
    await reveal.getByRole('button', { name: 'Copy key' }).click();
    await reveal.getByRole('button', { name: 'Copied' }).waitFor();
    const copied = await alice.evaluate(() => navigator.clipboard.readText());
    expect(copied).toBe(shown);
    await reveal.getByRole('tab', { name: 'Python (openai)' }).click();
    await waitText(reveal.getByRole('tabpanel'), `api_key="${shown}"`);
    await screenshot(alice, 'key-created');
    await reveal.getByRole('button', { name: 'I have saved it' }).click();

    await alice.getByRole('link', { name: 'Live calls' }).click();
    await waitText(alice.getByTestId('live-mode'), /^Live$/, 10_000);
    const before = await alice.getByTestId('topbar-balance').textContent();

    const client = new OpenAI({ baseURL: `${g.url}/v1`, apiKey: copied });
    const reply = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello from the console test' }] });
    const finishedAt = Date.now();
    expect(reply.choices[0]!.message.content).toBe('Hello from the mock');
    const row = alice.locator('[data-testid="live-table"] tbody tr[data-inflight="false"]').first();
    await row.waitFor({ timeout: 1_000 });
    console.log(`call visible on the Live page ${Date.now() - finishedAt} ms after the reply`);
    expect(await row.innerText()).toContain('gpt-4o-mini');
    expect(await row.innerText()).toContain('200');
    // The price is $1000/M in and $2000/M out: the balance drops by a visible amount.
    const after = await until(async () => { const t = await alice.getByTestId('topbar-balance').innerText(); return t !== before && t; }, 'the balance to change', 3_000);
    expect(after).toMatch(/\$9\.9\d+/);

    // A slow stream shows as in flight, then completes in place.
    mock.next({ kind: 'slow-stream', chunkDelayMs: 150, chunks: 8 });
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'stream please' }] });
    const inflight = alice.locator('[data-testid="live-table"] tbody tr[data-inflight="true"]');
    await inflight.first().waitFor({ timeout: 2_000 });
    const streamId = await inflight.first().getAttribute('data-request-id');
    expect(await inflight.first().innerText()).toContain('In flight');
    for await (const _ of stream);
    await alice.locator(`tr[data-request-id="${streamId}"][data-inflight="false"]`).waitFor({ timeout: 2_000 });
    expect(await alice.locator(`tr[data-request-id="${streamId}"]`).count()).toBe(1);

    await row.click();
    const drawer = alice.getByTestId('call-detail');
    await waitText(drawer, 'Where the time went');
    expect(await drawer.innerText()).toContain('laptop');
    expect(await drawer.innerText()).toContain('Attempts');
    await screenshot(alice, 'call-detail');
    await ctx.close();
  }, 60_000);

  test('a user never sees another user\'s calls: live, and after a reload', async () => {
    const keys: Record<string, string> = {};
    for (const username of ['ann', 'bob']) {
      await g.admin.users.create.mutate({ username, password: `${username}-password`, balanceUsd: '1000' });
      keys[username] = (await g.admin.keys.create.mutate({ name: `${username}-key`, user: username })).key;
    }
    const call = async (user: string) => {
      const client = new OpenAI({ baseURL: `${g.url}/v1`, apiKey: keys[user] });
      const { response } = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `hi from ${user}` }] }).withResponse();
      return response.headers.get('x-request-id')!;
    };
    const ctx = await newContext(browser, g.url);
    const bob = await ctx.newPage();
    await signIn(bob, 'bob', 'bob-password');
    await bob.goto('/calls');
    await waitText(bob.getByTestId('live-mode'), /^Live$/, 10_000);

    const annCall = await call('ann');
    const bobCall = await call('bob');
    const bobRow = bob.locator(`tr[data-request-id="${bobCall}"][data-inflight="false"]`);
    await bobRow.waitFor({ timeout: 2_000 });
    expect(await bob.locator(`tr[data-request-id="${annCall}"]`).count()).toBe(0);

    await bob.reload();
    await bobRow.waitFor({ timeout: 5_000 });
    const shown = await bob.locator('[data-testid="live-table"] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-request-id')));
    expect(shown).toEqual([bobCall]);
    // Admin pages are not offered to a user.
    expect(await bob.getByRole('link', { name: 'Channels' }).count()).toBe(0);
    await screenshot(bob, 'live-user');
    await ctx.close();
  }, 60_000);

  test('switch to zh-CN and back; the choice persists across reloads', async () => {
    await page.goto('/keys');
    await page.getByTestId('language-toggle').click();
    await page.getByRole('heading', { name: 'API 密钥' }).waitFor();
    await page.getByRole('link', { name: '实时调用' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
    await page.reload();
    await page.getByRole('heading', { name: 'API 密钥' }).waitFor();
    await screenshot(page, 'keys-zh-CN');
    await page.getByTestId('language-toggle').click();
    await page.getByRole('heading', { name: 'API keys' }).waitFor();
  }, 30_000);

  test('a Chinese browser gets Chinese without choosing', async () => {
    const ctx = await newContext(browser, g.url, { locale: 'zh-CN' });
    const p = await ctx.newPage();
    await p.goto('/');
    await p.getByRole('heading', { name: '登录' }).waitFor();
    await ctx.close();
  }, 20_000);
});
