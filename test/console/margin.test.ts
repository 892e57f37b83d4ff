// Cost prices and margin in headless Chromium (issue 25): an admin sets a cost price on the
// Prices page, calls are relayed, and Billing's Margin view shows revenue − upstream cost =
// margin with exactly billing.margin's figures (by channel and by model), its CSV export
// carries the same filter; the call detail shows the call's upstream cost and cache affinity;
// Settings edits the affinity TTL and the ranking; the cost price is removed again.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import OpenAI from 'openai';
import type { Browser, Page } from 'playwright-core';
import { nanoToUsd } from '../../server/billing/money.ts';
import type { TestGateway } from '../helpers/gateway.ts';
import type { MockOpenAI } from '../mocks/openai.ts';
import { addPricedMockChannel, checkA11y, newContext, relayChats, ROOT_PASSWORD, screenshot, signIn, startConsoleRig, stopConsoleRig, until, waitText } from './helpers.ts';

const DAY = 86_400_000;
/** The console's exact money format (web/src/format.ts money()). */
const money = (n: bigint | null | undefined) => (n! < 0n ? `-$${nanoToUsd(-n!)}` : `$${nanoToUsd(n!)}`);

describe('cost prices and margin', () => {
  let g: TestGateway;
  let mock: MockOpenAI;
  let browser: Browser;
  let page: Page;
  let channelId: number;
  let key: string;

  beforeAll(async () => {
    ({ g, mock, browser } = await startConsoleRig());
    await addPricedMockChannel(g, mock, ['gpt-4o-mini']);
    channelId = (await g.admin.channels.list.query()).find((c) => c.name === 'mock')!.id;
    await g.admin.users.create.mutate({ username: 'dana', password: 'dana-password', balanceUsd: '5' });
    ({ key } = await g.admin.keys.create.mutate({ name: 'dana-key', user: 'dana' }));
    page = await (await newContext(browser, g.url)).newPage();
    page.on('dialog', (d) => void d.accept());
    await signIn(page, 'root', ROOT_PASSWORD);
  }, 120_000);

  afterAll(() => stopConsoleRig({ g, mock, browser }));

  test('a cost price set on the Prices page is listed and logged on each call', async () => {
    await page.goto('/prices');
    const form = page.getByTestId('cost-price-form');
    await form.getByLabel('Channel', { exact: true }).selectOption(String(channelId));
    expect(await form.getByLabel('Model', { exact: true }).inputValue()).toBe('*');
    await form.getByLabel('Input', { exact: true }).fill('0.05');
    await form.getByLabel('Output', { exact: true }).fill('0.2');
    await form.getByRole('button', { name: 'Save cost price' }).click();
    const row = page.locator(`[data-testid="cost-prices-table"] tr[data-cost="${channelId}:*"]`);
    await row.waitFor();
    expect(await row.innerText()).toContain('$0.05');
    expect(await row.innerText()).toContain('$0.2');
    await screenshot(page, 'cost-prices');
    expect(await checkA11y(page)).toEqual({ unlabeled: [], unnamed: [], unfocusable: [], lowContrast: [] });
    const stored = await g.admin.prices.cost.list.query({});
    expect(stored.map((c) => [c.channel_id, c.model, c.input, c.output])).toEqual([[channelId, '*', 50_000_000n, 200_000_000n]]);

    await relayChats(g, key, 3, 'margin');
    const logs = (await g.admin.logs.list.query({ limit: 10 })).rows;
    expect(logs).toHaveLength(3);
    // What the mock reported, at the cost price: input × 0.05 + output × 0.2 per 1M tokens.
    for (const l of logs) expect(l.upstream_cost).toBe(BigInt(l.prompt_tokens) * 50n + BigInt(l.completion_tokens) * 200n);
  }, 30_000);

  test('the Margin view shows billing.margin exactly: revenue − upstream cost = margin', async () => {
    const now = Date.now();
    const report = await g.admin.billing.margin.query({ from: new Date(now - DAY), to: new Date(now + DAY), by: 'channel' });
    const { revenue, upstreamCost, margin } = report.total;
    expect(upstreamCost).toBeGreaterThan(0n);
    expect(revenue - upstreamCost).toBe(margin);
    expect(margin).toBeGreaterThan(0n);

    await page.goto('/billing');
    const view = page.getByTestId('margin-view');
    await waitText(view.getByTestId('margin-revenue'), money(revenue));
    expect(await view.getByTestId('margin-upstream').innerText()).toBe(money(upstreamCost));
    expect(await view.getByTestId('margin-margin').innerText()).toBe(money(margin));
    // One row per channel, named; the total row repeats the totals.
    const channelRow = view.locator(`[data-testid="margin-table"] tbody tr[data-group="${channelId}"]`);
    const cells = await channelRow.locator('td').allInnerTexts();
    expect(cells).toEqual(['mock', '3', '0', money(revenue), money(upstreamCost), money(margin)]);
    expect((await view.getByTestId('margin-total').locator('td').allInnerTexts()).slice(2)).toEqual([money(revenue), money(upstreamCost), money(margin)]);

    // By model: same figures under the model's name.
    await view.getByRole('button', { name: 'Model', exact: true }).click();
    const modelRow = view.locator('[data-testid="margin-table"] tbody tr[data-group="gpt-4o-mini"]');
    await modelRow.waitFor();
    expect((await modelRow.locator('td').allInnerTexts()).slice(3)).toEqual([money(revenue), money(upstreamCost), money(margin)]);

    // The export is the same report, same filter, as CSV (the session cookie authenticates it).
    const href = (await view.getByTestId('margin-csv').getAttribute('href'))!;
    const url = new URL(href, g.url);
    expect(url.pathname).toBe('/api/billing/margin.csv');
    expect(url.searchParams.get('by')).toBe('model');
    const csv = await (await page.request.get(href)).text();
    const usd = (n: bigint) => `${n / 1_000_000_000n}.${(n % 1_000_000_000n).toString().padStart(9, '0')}`;
    expect(csv.trim().split('\n').at(-1)).toBe(`total,3,0,${usd(revenue)},${usd(upstreamCost)},${usd(margin)}`);
    await screenshot(page, 'billing-margin');
    expect(await checkA11y(page)).toEqual({ unlabeled: [], unnamed: [], unfocusable: [], lowContrast: [] });
  }, 30_000);

  test('call detail: upstream cost and cache affinity', async () => {
    const client = new OpenAI({ baseURL: `${g.url}/v1`, apiKey: key });
    for (let i = 0; i < 2; i++) await client.chat.completions.create({ model: 'gpt-4o-mini', user: 'conversation-1', messages: [{ role: 'user', content: `turn ${i}` }] });
    await g.flush();
    const [latest] = (await g.admin.logs.list.query({ limit: 1 })).rows;
    expect(latest!.affinity).toBe('hit');
    await page.goto('/history');
    await page.locator('[data-testid="history-table"] tbody tr').first().click();
    const detail = page.getByTestId('call-detail');
    await waitText(detail.getByTestId('call-affinity'), 'Hit');
    expect(await detail.getByTestId('call-upstream-cost').innerText()).toBe(money(latest!.upstream_cost));
    await screenshot(page, 'call-affinity');
    await page.keyboard.press('Escape');
  }, 30_000);

  test('settings: affinity TTL and ranking per model', async () => {
    await page.goto('/settings');
    const form = page.locator('form', { has: page.getByRole('heading', { name: 'Routing and health' }) });
    const ttl = form.getByLabel('Cache affinity TTL (ms)');
    await until(async () => (await ttl.inputValue()) === '1800000', 'the default TTL shown');
    await ttl.fill('600000');
    await form.getByLabel('Ranking by model').fill('gpt-4o-mini=cost');
    await form.getByRole('button', { name: 'Save' }).click();
    await until(async () => (await g.admin.routing.settings.query()).values.affinityTtlMs === 600_000, 'the TTL saved');
    expect((await g.admin.routing.settings.query()).values.rankByModel).toEqual({ 'gpt-4o-mini': 'cost' });
    // A bad mode comes back as the field's error.
    await form.getByLabel('Ranking by group').fill('default=fastest');
    await form.getByRole('button', { name: 'Save' }).click();
    await form.locator('.field .error').first().waitFor();
    expect((await g.admin.routing.settings.query()).values.rankByGroup).toEqual({});
  }, 30_000);

  test('the cost price is removed from the list', async () => {
    await page.goto('/prices');
    const row = page.locator(`[data-testid="cost-prices-table"] tr[data-cost="${channelId}:*"]`);
    await row.getByRole('button', { name: `Remove the cost price of * on mock` }).click();
    await row.waitFor({ state: 'detached' });
    await waitText(page.getByTestId('cost-prices'), 'No cost prices yet');
    expect(await g.admin.prices.cost.list.query({})).toEqual([]);
  }, 30_000);
});
