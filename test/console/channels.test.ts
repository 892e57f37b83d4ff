// The channel list in headless Chromium: an ID column, test one chosen model, a failed test
// shown in the list (not only in the dialog), search, sort, per-channel usage, clone, test
// all channels, and delete every disabled channel.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Browser, Page } from 'playwright-core';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { type MockOpenAI, startMockOpenAI } from '../mocks/openai.ts';
import { launchBrowser, newContext, relayChats, ROOT_PASSWORD, screenshot, signIn, until, waitText } from './helpers.ts';

describe('channel list', () => {
  let g: TestGateway;
  let good: MockOpenAI;
  let bad: MockOpenAI;
  let browser: Browser;
  let page: Page;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    [g, good, bad, browser] = await Promise.all([startTestGateway('pglite'), startMockOpenAI(), startMockOpenAI(), launchBrowser()]);
    // The bad upstream rejects every key, as OpenAI does with a revoked one (401 invalid_api_key).
    bad.always({ kind: 'status', status: 401, body: { error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', code: 'invalid_api_key', param: null } } });
    ids.alpha = (await g.admin.channels.create.mutate({ name: 'alpha', type: 1, baseUrl: good.url, key: 'sk-a', models: ['gpt-4o-mini', 'alpha-extra'], priority: 5 })).id;
    ids.beta = (await g.admin.channels.create.mutate({ name: 'beta', type: 1, baseUrl: bad.url, key: 'sk-b', models: ['beta-model'] })).id;
    ids.gamma = (await g.admin.channels.create.mutate({ name: 'gamma', type: 1, baseUrl: good.url, key: 'sk-c', models: ['gamma-model'] })).id;
    await g.admin.channels.setStatus.mutate({ id: ids.gamma!, enabled: false });
    await g.admin.prices.set.mutate({ model: 'gpt-4o-mini', inputUsdPerM: '0.15', outputUsdPerM: '0.6' });
    await g.admin.users.create.mutate({ username: 'dora', password: 'dora-password', balanceUsd: '5' });
    const { key } = await g.admin.keys.create.mutate({ name: 'dora-key', user: 'dora' });
    await relayChats(g, key, 2, 'hi');
    page = await (await newContext(browser, g.url)).newPage();
    page.on('dialog', (d) => void d.accept());
    await signIn(page, 'root', ROOT_PASSWORD);
    await page.getByRole('link', { name: 'Channels' }).click();
    await page.locator('tr[data-channel="alpha"]').waitFor();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    good?.stop();
    bad?.stop();
    await g?.close();
  });

  const row = (name: string) => page.locator(`tr[data-channel="${name}"]`);
  const names = async () => page.locator('[data-testid="channels-table"] tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-channel')));

  test('ID column and per-channel usage', async () => {
    expect(await row('alpha').locator('td').nth(1).innerText()).toBe(String(ids.alpha));
    await waitText(row('alpha').getByTestId('channel-usage'), '2 calls');
    expect(await row('beta').getByTestId('channel-usage').innerText()).toContain('0 calls');
  }, 30_000);

  test('test one chosen model, then a failed test shows in the list', async () => {
    await row('alpha').getByRole('button', { name: 'Test', exact: true }).click();
    const dialog = page.getByRole('dialog');
    const before = good.requests.length;
    await dialog.getByRole('button', { name: 'Test alpha-extra' }).click();
    await waitText(dialog.getByTestId('test-progress'), '1 of 2 tested · 1 passed', 10_000);
    expect(await dialog.locator('tr[data-model="alpha-extra"]').getAttribute('data-state')).toBe('ok');
    expect(await dialog.locator('tr[data-model="gpt-4o-mini"]').getAttribute('data-state')).toBe('waiting');
    expect(good.requests.slice(before).map((r) => r.body.model)).toEqual(['alpha-extra']);
    await dialog.getByRole('button', { name: 'Close' }).first().click();
    await dialog.waitFor({ state: 'hidden' });
    await waitText(row('alpha').getByTestId('last-test'), 'OK');

    await row('beta').getByRole('button', { name: 'Test', exact: true }).click();
    await dialog.getByRole('button', { name: 'Test beta-model' }).click();
    await waitText(dialog.getByTestId('test-progress'), '1 of 1 tested · 0 passed', 10_000);
    await screenshot(page, 'channel-test-one-failed');
    await dialog.getByRole('button', { name: 'Close' }).first().click();
    const lastTest = row('beta').getByTestId('last-test');
    await waitText(lastTest, 'Failed');
    expect(await lastTest.innerText()).toContain('HTTP 401');
    expect(await lastTest.getAttribute('title')).toContain('beta-model');
  }, 45_000);

  test('search and sort', async () => {
    const search = page.getByRole('search').getByLabel('Search');
    await search.fill('beta-mod');
    await until(async () => JSON.stringify(await names()) === '["beta"]', 'only beta');
    await search.fill(String(ids.gamma));
    await until(async () => JSON.stringify(await names()) === '["gamma"]', 'gamma by its id');
    await search.fill('');
    await page.getByRole('search').getByLabel('Sort by').selectOption('lastTest');
    await until(async () => (await names())[0] === 'beta', 'the failed channel first');
    await page.getByRole('search').getByLabel('Sort by').selectOption('priority');
    await until(async () => (await names())[0] === 'alpha', 'the highest priority first');
    await page.getByRole('search').getByLabel('Sort by').selectOption('id');
  }, 30_000);

  test('clone, test all, delete the disabled ones', async () => {
    await row('alpha').getByRole('button', { name: 'Clone alpha' }).click();
    await row('alpha (copy)').waitFor();
    const copy = (await g.admin.channels.list.query()).find((c) => c.name === 'alpha (copy)')!;
    expect(copy).toMatchObject({ status: 2, models: ['gpt-4o-mini', 'alpha-extra'], priority: 5 });

    await page.getByTestId('test-all').click();
    await waitText(page.getByRole('status'), /\d of \d channel tests passed/, 20_000);
    // Every channel's test model was tried, the failing one included.
    expect(await row('beta').getByTestId('last-test').getAttribute('data-success')).toBe('false');
    await waitText(row('gamma').getByTestId('last-test'), 'OK');

    await waitText(page.getByTestId('delete-disabled'), 'Delete disabled (2)');
    await page.getByTestId('delete-disabled').click();
    await until(async () => JSON.stringify(await names()) === '["alpha","beta"]', 'the disabled channels gone');
    expect((await g.admin.channels.list.query()).map((c) => c.name)).toEqual(['alpha', 'beta']);
    expect(await page.getByTestId('delete-disabled').isDisabled()).toBe(true);
  }, 60_000);
  test('a tripped circuit breaker shows in the health column, with its model', async () => {
    const down = await startMockOpenAI();
    try {
      down.always({ kind: 'status', status: 503, body: { error: { message: 'The engine is currently overloaded.', type: 'server_error', param: null, code: null } } });
      await g.admin.channels.create.mutate({ name: 'delta', type: 1, baseUrl: down.url, key: 'sk-d', models: ['delta-model'] });
      await g.admin.prices.set.mutate({ model: 'delta-model', inputUsdPerM: '1', outputUsdPerM: '1' });
      const { key } = await g.admin.keys.create.mutate({ name: 'delta-key', user: 'dora' });
      // Three consecutive failures open the breaker (routing breakerThreshold, default 3).
      for (let i = 0; i < 3; i++) {
        const res = await fetch(`${g.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'delta-model', messages: [{ role: 'user', content: 'hi' }] }),
        });
        expect(res.status).toBeGreaterThanOrEqual(500);
      }
      expect((await g.admin.routing.breakers.query()).find((b) => b.model === 'delta-model')?.state).not.toBe('closed');
      await page.reload();
      const badge = row('delta').getByTestId('channel-breaker');
      await badge.waitFor({ timeout: 10_000 });
      // Open, or half-open while its trial runs: never shown as healthy.
      expect(['open', 'half_open']).toContain(String(await badge.getAttribute('data-state')));
      expect(await badge.innerText()).toContain('delta-model');
      expect(await row('alpha').getByTestId('channel-breaker').count()).toBe(0);
    } finally {
      down.stop();
    }
  }, 60_000);
});
