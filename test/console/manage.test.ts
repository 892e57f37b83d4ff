// Admin management pages in headless Chromium: the redemption-code manager (list with
// status and who redeemed, disable, delete), users and keys, settings and the audit log.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Browser, Page } from 'playwright-core';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { launchBrowser, newContext, ROOT_PASSWORD, screenshot, signIn, until, waitText } from './helpers.ts';

describe('admin management pages', () => {
  let g: TestGateway;
  let browser: Browser;
  let page: Page;
  let erinId: number;

  beforeAll(async () => {
    [g, browser] = await Promise.all([startTestGateway('pglite'), launchBrowser()]);
    erinId = (await g.admin.users.create.mutate({ username: 'erin', password: 'erin-password', balanceUsd: '1' })).id;
    page = await (await newContext(browser, g.url)).newPage();
    page.on('dialog', (d) => void d.accept());
    await signIn(page, 'root', ROOT_PASSWORD);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await g?.close();
  });

  test('redemption codes: create, list with status and who redeemed, disable, delete', async () => {
    await page.getByRole('link', { name: 'Redemption codes' }).click();
    await page.getByRole('heading', { name: 'Redemption codes', level: 1 }).waitFor();
    const form = page.locator('form', { has: page.getByRole('heading', { name: 'Create redemption codes' }) });
    await form.getByLabel('Name').fill('launch');
    await form.getByLabel('Amount (USD)').fill('2.5');
    await form.getByLabel('How many').fill('3');
    await form.getByRole('button', { name: 'Create codes' }).click();
    const codes = (await waitText(page.getByTestId('new-codes'), /^[0-9a-f]{32}(\n[0-9a-f]{32}){2}$/)).split('\n');
    const rows = page.locator('[data-testid="codes-table"] tbody tr');
    await until(async () => (await rows.count()) === 3, 'three codes listed');

    // Erin redeems one (through the API, as her own client would).
    const ids = (await g.admin.billing.codes.list.query({})).map((c) => c.id).sort((a, b) => a - b);
    await g.admin.billing.redeem.mutate({ code: codes[0]!, userId: erinId });
    await page.reload();
    await until(async () => (await rows.count()) === 3, 'three codes after reload');
    const states = await rows.evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-code'), tr.getAttribute('data-status')]));
    expect(states.filter(([, s]) => s === '3')).toHaveLength(1);
    const used = rows.and(page.locator('[data-status="3"]'));
    expect(await used.innerText()).toContain('Used');
    expect(await used.innerText()).toContain('$2.50');
    expect(await used.getByTestId('redeemed-by').innerText()).toContain('erin');

    // Disable one unused code, delete another.
    const [disableId, deleteId] = ids.filter((id) => String(id) !== states.find(([, s]) => s === '3')![0]);
    await page.getByRole('button', { name: `Disable code ${disableId}` }).click();
    await waitText(page.locator(`tr[data-code="${disableId}"]`), 'Disabled');
    await page.getByRole('button', { name: `Delete code ${deleteId}` }).click();
    await until(async () => (await rows.count()) === 2, 'the deleted code gone');
    const left = await g.admin.billing.codes.list.query({});
    expect(left.map((c) => [c.id, c.status]).sort()).toEqual([[disableId, 2], [Number(states.find(([, s]) => s === '3')![0]), 3]].sort());
    // Filter by status.
    await page.getByRole('search').getByLabel('Status').selectOption('3');
    await until(async () => (await rows.count()) === 1, 'only the used code');
    await screenshot(page, 'codes');
    // A disabled code cannot be redeemed.
    await expect(g.admin.billing.redeem.mutate({ code: codes[1]!, userId: erinId }).catch((e) => e.message)).resolves.toMatch(/disabled|does not exist/);
  }, 45_000);
});
