// Call history in headless Chromium: an admin pages back past 150 newer calls (keyset cursor
// on the server), every row carries a date, the user filter takes a name, a time range
// narrows the rows, and "Export CSV" downloads exactly the current filter. The billing
// ledger pages back too.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { TestGateway } from '../helpers/gateway.ts';
import type { MockOpenAI } from '../mocks/openai.ts';
import { addPricedMockChannel, newContext, relayChats, ROOT_PASSWORD, screenshot, signIn, startConsoleRig, stopConsoleRig, until, waitText } from './helpers.ts';

const HOUR = 3_600_000;
const SEEDED = 220;

describe('call history', () => {
  let g: TestGateway;
  let mock: MockOpenAI;
  let browser: Browser;
  let ctx: BrowserContext;
  let page: Page;
  let aliceId: number;
  const now = Date.now();

  beforeAll(async () => {
    ({ g, mock, browser } = await startConsoleRig());
    await addPricedMockChannel(g, mock, ['gpt-4o-mini']);
    aliceId = (await g.admin.users.create.mutate({ username: 'alice', password: 'alice-password', balanceUsd: '5' })).id;
    await g.admin.users.create.mutate({ username: 'bob', password: 'bob-password', balanceUsd: '5' });
    // Bob's calls go through the relay now; alice's history is older and spread over nine days.
    const { key } = await g.admin.keys.create.mutate({ name: 'bob-key', user: 'bob' });
    await relayChats(g, key, 3, 'hi');
    await g.gw.db.db.insertInto('call_logs').values(Array.from({ length: SEEDED }, (_, i) => ({
      request_id: `hist-${i}`, created_at: new Date(now - (i + 1) * HOUR), user_id: aliceId, key_id: null, channel_id: null, attempts: JSON.stringify([]) as never,
      endpoint: '/v1/chat/completions', model: i % 4 === 0 ? 'old-model' : 'gpt-4o-mini', upstream_model: null, stream: false,
      status: i % 10 === 0 ? 502 : 200, error_type: null, error_message: i % 10 === 0 ? 'upstream failed' : null,
      prompt_tokens: 10, completion_tokens: 5, cached_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 0, cost: 1000n, latency_ms: 100,
      ttft_ms: null, overhead_us: null, client_ip: null, user_agent: null, estimated: false,
    }))).execute();
    ctx = await newContext(browser, g.url);
    page = await ctx.newPage();
    await signIn(page, 'root', ROOT_PASSWORD);
  }, 120_000);

  afterAll(() => stopConsoleRig({ g, mock, browser }));

  const rows = () => page.locator('[data-testid="history-table"] tbody tr');
  const firstRequestId = () => rows().first().getAttribute('data-request-id');

  test('pages back past 150 newer calls, with a date on every row', async () => {
    await page.getByRole('link', { name: 'Call history' }).click();
    await page.getByRole('heading', { name: 'Call history' }).waitFor();
    await until(async () => (await rows().count()) === 50, '50 rows on the first page');
    // The newest three are bob's relayed calls.
    expect(await rows().nth(0).innerText()).toContain('bob');
    const dates = await page.getByTestId('call-date').allInnerTexts();
    expect(dates).toHaveLength(50);
    const year = String(new Date().getFullYear());
    for (const d of dates) expect(d).toContain(year);
    expect(dates.every((d) => /\d{1,2}:\d{2}/.test(d) && /[A-Z][a-z]{2} \d{1,2}, \d{4}/.test(d))).toBe(true);

    // The user filter takes a name.
    const user = page.getByRole('search').getByLabel('User', { exact: true });
    await user.fill('alice');
    await user.press('Tab');
    await until(async () => (await firstRequestId()) === 'hist-0', 'alice\'s newest call first');
    for (let i = 0; i < 3; i++) {
      const before = await firstRequestId();
      await page.getByTestId('history-older').click();
      await until(async () => (await firstRequestId()) !== before, 'the next page');
    }
    await waitText(page.getByTestId('history-position'), 'Page 4 · calls 151–200');
    expect(await firstRequestId()).toBe('hist-150');
    expect(await rows().last().getAttribute('data-request-id')).toBe('hist-199');
    // Browser and test share the host's time zone.
    expect(await page.getByTestId('call-date').first().innerText()).toContain(new Intl.DateTimeFormat('en-US', { dateStyle: 'medium' }).format(new Date(now - 151 * HOUR)));
    await screenshot(page, 'history-page-4');
    await page.getByTestId('history-older').click();
    await until(async () => (await firstRequestId()) === 'hist-200', 'the last page');
    expect(await rows().count()).toBe(SEEDED - 200);
    expect(await page.getByTestId('history-older').isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Newer' }).click();
    await until(async () => (await firstRequestId()) === 'hist-150', 'back one page');
    await page.getByRole('button', { name: 'Newest' }).click();
    await until(async () => (await firstRequestId()) === 'hist-0', 'back to the newest');

    await user.fill('nobody');
    await user.press('Tab');
    await waitText(page.getByRole('search').getByRole('alert'), 'No user named "nobody"');
    await waitText(page.getByRole('table').locator('xpath=..'), 'No calls match this filter.');
  }, 60_000);

  test('a time range narrows the rows; Export CSV downloads the current filter', async () => {
    const search = page.getByRole('search');
    await search.getByLabel('User', { exact: true }).fill('alice');
    await search.getByLabel('User', { exact: true }).press('Tab');
    // datetime-local is local time in the browser: build the strings there.
    const local = (ms: number) => page.evaluate((t) => {
      const d = new Date(t);
      const p = (n: number) => String(n).padStart(2, '0');
      return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
    }, ms);
    // [now-40.5h, now-10.5h): hist-10 … hist-39.
    await search.getByLabel('From', { exact: true }).fill(await local(now - 40.5 * HOUR));
    await search.getByLabel('To', { exact: true }).fill(await local(now - 10.5 * HOUR));
    await search.getByLabel('To', { exact: true }).press('Tab');
    await until(async () => (await rows().count()) === 30 && (await firstRequestId()) === 'hist-10', 'the 30 calls in range');
    expect(await rows().last().getAttribute('data-request-id')).toBe('hist-39');
    await search.getByLabel('Status', { exact: true }).selectOption('5xx');
    await until(async () => (await rows().count()) === 3, 'the 3 failed calls in range');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
    expect(download.suggestedFilename()).toMatch(/^switchboard-calls-.*\.csv$/);
    const csv = readFileSync((await download.path())!, 'utf8').trim().split('\r\n');
    const header = csv[0]!.split(',');
    const ids = csv.slice(1).map((l) => l.split(',')[header.indexOf('request_id')]);
    expect(ids).toEqual(['hist-10', 'hist-20', 'hist-30']);
    expect(csv.slice(1).every((l) => l.split(',')[header.indexOf('status')] === '502')).toBe(true);
    expect(csv.slice(1).every((l) => l.split(',')[header.indexOf('user_id')] === String(aliceId))).toBe(true);
  }, 45_000);

  test('the billing ledger pages back past its first page', async () => {
    for (let i = 0; i < 60; i++) await g.admin.billing.credit.mutate({ userId: aliceId, amountUsd: '0.01', reason: `top-up ${i}` });
    await page.getByRole('link', { name: 'Billing' }).click();
    const ledger = page.locator('[data-testid="ledger-table"] tbody tr');
    await until(async () => (await ledger.count()) === 50, 'the first 50 ledger rows');
    await page.getByTestId('ledger-more').click();
    const all = (await g.admin.billing.ledger.query({ limit: 1000 })).length;
    expect(all).toBeGreaterThan(60);
    await until(async () => (await ledger.count()) === all, `every ledger row (${all})`);
    expect(await ledger.last().innerText()).toContain('alice');
    await until(async () => !(await page.getByTestId('ledger-more').isVisible()), 'no more pages');
  }, 45_000);
});
