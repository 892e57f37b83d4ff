// Admin management pages in headless Chromium: the redemption-code manager (list with
// status and who redeemed, disable, delete), users and keys, settings and the audit log.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import OpenAI from 'openai';
import type { Browser, Page } from 'playwright-core';
import type { TestGateway } from '../helpers/gateway.ts';
import type { MockOpenAI } from '../mocks/openai.ts';
import { newContext, ROOT_PASSWORD, screenshot, signIn, startConsoleRig, stopConsoleRig, until, waitText } from './helpers.ts';

describe('admin management pages', () => {
  let g: TestGateway;
  let mock: MockOpenAI;
  let browser: Browser;
  let page: Page;
  let erinId: number;

  beforeAll(async () => {
    ({ g, mock, browser } = await startConsoleRig());
    await g.admin.channels.create.mutate({ name: 'mock', type: 1, baseUrl: mock.url, key: 'sk-upstream', models: ['gpt-4o-mini'] });
    // Expensive enough that one call moves the balance by cents.
    await g.admin.prices.set.mutate({ model: 'gpt-4o-mini', inputUsdPerM: '1000', outputUsdPerM: '2000' });
    erinId = (await g.admin.users.create.mutate({ username: 'erin', password: 'erin-password', balanceUsd: '1' })).id;
    page = await (await newContext(browser, g.url)).newPage();
    page.on('dialog', (d) => void d.accept());
    await signIn(page, 'root', ROOT_PASSWORD);
  }, 120_000);

  afterAll(() => stopConsoleRig({ g, mock, browser }));

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
    expect(left.map((c) => [c.id, c.status]).sort()).toEqual([[disableId!, 2], [Number(states.find(([, s]) => s === '3')![0]), 3]].sort());
    // Filter by status.
    await page.getByRole('search').getByLabel('Status').selectOption('3');
    await until(async () => (await rows.count()) === 1, 'only the used code');
    await screenshot(page, 'codes');
    // A disabled code cannot be redeemed.
    await expect(g.admin.billing.redeem.mutate({ code: codes[1]!, userId: erinId }).catch((e) => e.message)).resolves.toMatch(/disabled|does not exist/);
  }, 45_000);

  test('users: balances update live; delete a user', async () => {
    await g.admin.users.create.mutate({ username: 'gina', password: 'gina-password', balanceUsd: '5' });
    await g.admin.users.create.mutate({ username: 'hank', password: 'hank-password' });
    const { key } = await g.admin.keys.create.mutate({ name: 'gina-key', user: 'gina' });
    await page.getByRole('link', { name: 'Users & groups' }).click();
    const gina = page.locator('tr[data-user="gina"]');
    await waitText(gina.getByTestId('user-balance'), '$5.00');
    await Bun.sleep(500); // the live subscription is up
    await new OpenAI({ baseURL: `${g.url}/v1`, apiKey: key }).chat.completions.create({ model: 'gpt-4o-mini', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] });
    // No reload: the balance cell follows the settled call.
    await waitText(gina.getByTestId('user-balance'), /^\$4\.9\d+/, 5_000);

    await page.getByRole('button', { name: 'Delete hank' }).click();
    await waitText(page.locator('tr[data-user="hank"]'), 'Deleted');
    expect((await g.admin.users.list.query({ search: 'hank' }))[0]!.status).toBe(3);
    expect(await page.getByRole('button', { name: 'Delete root' }).isDisabled()).toBe(true);
  }, 45_000);

  test('keys: ID column, warnings for a past expiry and an unknown model, and a hint when the owner raised limits', async () => {
    const { id } = await g.admin.keys.create.mutate({ name: 'limited', user: 'erin', rpm: 10 });
    // Erin raises the limit an admin set, through her own console.
    const erinPage = await (await newContext(browser, g.url)).newPage();
    await signIn(erinPage, 'erin', 'erin-password');
    await erinPage.getByRole('link', { name: 'API keys' }).click();
    await erinPage.locator('tr[data-key="limited"]').getByRole('button', { name: 'Limits' }).click();
    const form = erinPage.getByRole('dialog');
    await form.getByLabel('Requests per minute').fill('1000');
    await form.getByRole('button', { name: 'Save' }).click();
    await form.waitFor({ state: 'hidden' });
    await erinPage.context().close();

    await page.getByRole('link', { name: 'API keys' }).click();
    const row = page.locator(`tr[data-key="limited"]`);
    expect(await row.locator('td').first().innerText()).toBe(String(id));
    await waitText(row.getByTestId('owner-changed-limits'), 'Owner changed the limits you set');
    expect(await page.locator('tr[data-key="gina-key"]').getByTestId('owner-changed-limits').count()).toBe(0);

    await page.getByTestId('new-key-button').click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Expires at').fill('2020-01-01T00:00');
    await waitText(dialog.getByTestId('expiry-warning'), 'in the past');
    await dialog.getByLabel('Allowed models').fill('gpt-4o-mini, no-such-model');
    await waitText(dialog.getByTestId('models-warning'), 'no-such-model');
    expect(await dialog.getByTestId('models-warning').innerText()).not.toContain('gpt-4o-mini');
    await dialog.getByLabel('Allowed models').fill('gpt-4o-mini');
    await dialog.getByTestId('models-warning').waitFor({ state: 'detached' });
    await screenshot(page, 'key-form-warnings');
    await dialog.getByRole('button', { name: 'Cancel' }).click();

    // Capture settings name the keys behind the ids.
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByLabel('Capture bodies for key IDs').fill(String(id));
    await waitText(page.getByTestId('captureKeys-described'), `#${id} limited`);
  }, 60_000);

  test('settings: the fallback price can be saved; the audit log shows the change', async () => {
    const card = page.locator('form', { has: page.getByRole('heading', { name: 'Billing' }) });
    await card.getByLabel('Models without a price').selectOption('fallback');
    expect(await card.getByLabel('Models without a price').locator('option:checked').innerText()).toBe('Use the fallback price');
    await card.getByLabel('Fallback price: input (USD per 1M tokens)').fill('1.5');
    await card.getByLabel('Fallback price: output (USD per 1M tokens)').fill('6');
    await card.getByRole('button', { name: 'Save' }).click();
    await waitText(page.getByRole('status'), 'Saved');
    const policy = await g.admin.prices.policy.query();
    expect(policy.missingPrice).toBe('fallback');
    expect(policy.fallback).toMatchObject({ input: '1500000000', output: '6000000000' });

    await page.getByRole('link', { name: 'Audit log' }).click();
    const audit = page.locator('[data-testid="audit-table"] tbody tr[data-action]');
    await until(async () => (await audit.count()) > 5, 'audit rows');
    const first = audit.first();
    expect(await first.innerText()).toContain('prices.setPolicy');
    expect(await first.innerText()).toContain('root');
    await first.getByRole('button', { name: 'Details' }).click();
    await waitText(page.locator('[data-testid="audit-table"] pre').last(), 'fallback');
    await page.getByRole('search').getByLabel('Action').fill('users.');
    await page.getByRole('search').getByLabel('Action').press('Tab');
    await until(async () => (await audit.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-action')))).every((a) => a?.startsWith('users.')), 'only users.* rows');
    await screenshot(page, 'audit');
  }, 45_000);

  test('polish: plurals, focus back to the opener, overdraft confirmation, keyless Ollama, embedding price, desktop menu', async () => {
    const asked: string[] = [];
    page.on('dialog', (d) => { asked.push(d.message()); });

    // Focus returns to the button that opened a drawer.
    await page.getByRole('link', { name: 'Users & groups' }).click();
    const newUser = page.getByRole('button', { name: 'New user' });
    await newUser.click();
    await page.getByRole('dialog').waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'hidden' });
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('New user');

    // Deducting more than the balance asks first (the handler accepts).
    await page.locator('tr[data-user="erin"]').getByRole('button', { name: 'Adjust balance' }).click();
    const adjust = page.getByRole('dialog');
    await adjust.getByLabel('Amount (USD)').fill('-1000');
    await adjust.getByLabel('Reason').fill('chargeback');
    await adjust.getByRole('button', { name: 'Save' }).click();
    await adjust.waitFor({ state: 'hidden' });
    expect(asked.some((m) => m.startsWith('Deduct -$1000') && m.includes('in debt'))).toBe(true);
    expect((await g.admin.users.list.query({ search: 'erin' }))[0]!.balance).toBeLessThan(0n);

    // Plurals: one model, two models.
    await g.admin.keys.create.mutate({ name: 'one-model', user: 'erin', models: ['gpt-4o-mini'] });
    await g.admin.keys.create.mutate({ name: 'two-models', user: 'erin', models: ['gpt-4o-mini', 'other'] });
    await page.getByRole('link', { name: 'API keys' }).click();
    await waitText(page.locator('tr[data-key="one-model"]'), '1 model');
    expect(await page.locator('tr[data-key="one-model"]').innerText()).not.toContain('1 models');
    await waitText(page.locator('tr[data-key="two-models"]'), '2 models');

    // An Ollama channel needs no key; an embedding model needs no output price.
    await page.getByRole('link', { name: 'Channels' }).click();
    await page.getByTestId('new-channel').click();
    const form = page.getByRole('dialog');
    await form.getByLabel('Vendor', { exact: true }).selectOption('30');
    await form.getByLabel('Name', { exact: true }).fill('local-ollama');
    await form.getByLabel('Base URL').fill(mock.url);
    await form.getByLabel('Custom models').fill('nomic-embed-text');
    await form.getByRole('button', { name: 'Add', exact: true }).click();
    await form.getByRole('button', { name: 'Save' }).click();
    await form.waitFor({ state: 'hidden' });
    const ollama = (await g.admin.channels.list.query()).find((c) => c.name === 'local-ollama')!;
    expect(ollama.keys).toHaveLength(1);
    await page.getByRole('link', { name: 'Models & prices' }).click();
    await page.getByLabel('Model', { exact: true }).first().fill('nomic-embed-text');
    await page.getByLabel('Input', { exact: true }).first().fill('0.02');
    await page.getByRole('button', { name: 'Save price' }).click();
    await until(async () => (await g.admin.prices.list.query()).some((p) => p.model === 'nomic-embed-text'), 'the embedding price saved');
    expect((await g.admin.prices.list.query()).find((p) => p.model === 'nomic-embed-text')).toMatchObject({ input: 20_000_000n, output: 0n });

    // On a desktop the menu button hides and shows the sidebar.
    const sidebar = page.locator('#sidebar');
    expect(await sidebar.isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Hide menu' }).click();
    await sidebar.waitFor({ state: 'hidden' });
    await page.getByRole('button', { name: 'Open menu' }).click();
    await sidebar.waitFor({ state: 'visible' });
  }, 60_000);
});
