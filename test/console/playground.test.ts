// An end user in headless Chromium: the models-and-prices page shows what they may call at
// their group's price, and the playground streams an answer through the gateway's relay with
// one of their keys, billed and logged like any call.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Browser, Page } from 'playwright-core';
import type { TestGateway } from '../helpers/gateway.ts';
import type { MockOpenAI } from '../mocks/openai.ts';
import { newContext, screenshot, signIn, startConsoleRig, stopConsoleRig, until, waitText } from './helpers.ts';

describe('models page and playground', () => {
  let g: TestGateway;
  let mock: MockOpenAI;
  let browser: Browser;
  let page: Page;
  let ivyKey: number;
  let otherKey: number;

  beforeAll(async () => {
    ({ g, mock, browser } = await startConsoleRig());
    await g.admin.prices.groups.set.mutate({ name: 'vip', multiplier: '0.5' });
    await g.admin.channels.create.mutate({ name: 'mock', type: 1, baseUrl: mock.url, key: 'sk-upstream', models: ['gpt-4o-mini', 'unpriced-model'], groups: ['default', 'vip'] });
    await g.admin.channels.create.mutate({ name: 'internal', type: 1, baseUrl: mock.url, key: 'sk-upstream', models: ['internal-model'], groups: ['staff'] });
    await g.admin.prices.set.mutate({ model: 'gpt-4o-mini', inputUsdPerM: '100', outputUsdPerM: '200' });
    await g.admin.users.create.mutate({ username: 'ivy', password: 'ivy-password', balanceUsd: '5', group: 'vip' });
    await g.admin.users.create.mutate({ username: 'jack', password: 'jack-password', balanceUsd: '5' });
    ivyKey = (await g.admin.keys.create.mutate({ name: 'ivy-laptop', user: 'ivy' })).id;
    otherKey = (await g.admin.keys.create.mutate({ name: 'jack-key', user: 'jack' })).id;
    page = await (await newContext(browser, g.url)).newPage();
    await signIn(page, 'ivy', 'ivy-password');
  }, 120_000);

  afterAll(() => stopConsoleRig({ g, mock, browser }));

  test('models page: what this account may call, at its group price', async () => {
    await page.getByRole('link', { name: 'Models', exact: true }).click();
    const table = page.getByTestId('models-table');
    await table.locator('tr[data-model="gpt-4o-mini"]').waitFor();
    const models = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-model')));
    // The staff-only channel's model is not offered to a vip user.
    expect(models).toEqual(['gpt-4o-mini', 'unpriced-model']);
    // vip pays half the list price.
    const row = await table.locator('tr[data-model="gpt-4o-mini"]').innerText();
    expect(row).toContain('$50');
    expect(row).toContain('$100');
    expect(await table.locator('tr[data-model="unpriced-model"]').innerText()).toContain('No price yet');
    expect(await page.getByTestId('models-group').innerText()).toContain('vip');
    await screenshot(page, 'models-user');
  }, 30_000);

  test('playground streams through the relay and the call is billed and logged', async () => {
    await page.getByRole('link', { name: 'Try gpt-4o-mini in the playground' }).click();
    await page.getByRole('heading', { name: 'Playground' }).waitFor();
    // The model field is filled once the page has loaded the account's models.
    const model = page.getByLabel('Model');
    for (let i = 0; i < 50 && (await model.inputValue()) !== 'gpt-4o-mini'; i++) await Bun.sleep(100);
    expect(await model.inputValue()).toBe('gpt-4o-mini');
    expect(await page.getByLabel('API key').inputValue()).toBe(String(ivyKey));
    mock.next({ kind: 'slow-stream', chunkDelayMs: 150, chunks: 6 });
    await page.getByLabel('Message').fill('Hello from the playground');
    await page.getByRole('button', { name: 'Send' }).click();
    const answer = page.locator('[data-testid="chat"] [data-role="assistant"] .pre');
    // Text arrives piece by piece while the stream is still running.
    const full = 'Hello from the mockHello from';
    const partial = await until(async () => { const s = await answer.innerText(); return s !== '…' && s.length > 0 && (await page.getByRole('button', { name: 'Stop' }).isVisible()) ? s : ''; }, 'the first streamed piece');
    expect(partial.length).toBeLessThan(full.length);
    await waitText(page.getByTestId('chat-outcome'), /cost \$0\.\d+/, 10_000);
    expect(await answer.innerText()).toBe(full);
    await screenshot(page, 'playground');

    const upstream = mock.requests.at(-1)!;
    expect(upstream.body).toMatchObject({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'Hello from the playground' }] });
    const logs = await g.admin.logs.list.query({ keyId: ivyKey });
    expect(logs.rows).toHaveLength(1);
    expect(logs.rows[0]).toMatchObject({ model: 'gpt-4o-mini', stream: true, status: 200 });
    expect(logs.rows[0]!.cost).toBeGreaterThan(0n);
    const ivy = (await g.admin.users.list.query({ search: 'ivy' }))[0]!;
    expect(ivy.balance).toBe(5_000_000_000n - BigInt(logs.rows[0]!.cost));
  }, 45_000);

  test('someone else\'s key, or no session, is refused', async () => {
    const status = (keyId: number, withCookie = true) => page.evaluate(async ([id, cookie]) => {
      const res = await fetch('/api/playground/chat/completions', {
        method: 'POST', credentials: cookie ? 'same-origin' : 'omit',
        headers: { 'content-type': 'application/json', 'x-switchboard-key-id': String(id) },
        body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }),
      });
      return [res.status, ((await res.json()) as { error: { code: string } }).error.code];
    }, [keyId, withCookie] as const);
    expect(await status(otherKey)).toEqual([404, 'key_not_found']);
    expect(await status(ivyKey, false)).toEqual([401, 'not_signed_in']);
    expect((await g.admin.logs.list.query({ keyId: otherKey })).rows).toHaveLength(0);
  }, 30_000);
});
