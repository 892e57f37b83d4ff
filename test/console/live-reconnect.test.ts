// The Live page across a server restart, in headless Chromium: the server shuts down with
// the page open (within its grace period), the page says it is disconnected within 5 s,
// reconnects on its own with backoff once a new server listens on the same address, and
// fills in the calls made while it was away (read from the log, not pushed).
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createServer } from 'node:net';
import OpenAI from 'openai';
import type { Browser, Page } from 'playwright-core';
import { freshPgliteDir } from '../helpers/databases.ts';
import { launchTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { type MockOpenAI, startMockOpenAI } from '../mocks/openai.ts';
import { addPricedMockChannel, launchBrowser, newContext, ROOT_PASSWORD, screenshot, signIn, stopConsoleRig, until, waitText } from './helpers.ts';

const GRACE_MS = 3_000;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

describe('live page across a restart', () => {
  let dataDir: string;
  let port: number;
  let g: TestGateway | undefined;
  let mock: MockOpenAI;
  let browser: Browser;
  let page: Page;
  let key: string;

  const start = () => launchTestGateway(dataDir, { EMBEDDED_DB: 'pglite', PORT: String(port), SHUTDOWN_GRACE_MS: String(GRACE_MS) });

  beforeAll(async () => {
    [dataDir, port, mock, browser] = await Promise.all([freshPgliteDir(), freePort(), startMockOpenAI(), launchBrowser()]);
    g = await start();
    await addPricedMockChannel(g, mock, ['gpt-4o-mini']);
    await g.admin.users.create.mutate({ username: 'alice', password: 'alice-password', balanceUsd: '5' });
    key = (await g.admin.keys.create.mutate({ name: 'alice-key', user: 'alice' })).key;
    page = await (await newContext(browser, g.url)).newPage();
    await signIn(page, 'root', ROOT_PASSWORD);
  }, 120_000);

  afterAll(() => stopConsoleRig({ g, mock, browser }));

  const call = (content: string) => new OpenAI({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: key, maxRetries: 0 })
    .chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }] });
  const finished = () => page.locator('[data-testid="live-table"] tbody tr[data-inflight="false"]');

  test('shutdown with the page open, disconnected within 5 s, reconnect and backfill after restart', async () => {
    await page.getByRole('link', { name: 'Live calls' }).click();
    await waitText(page.getByTestId('live-mode'), /^Live$/, 10_000);
    await call('before the restart');
    await until(async () => (await finished().count()) === 1, 'the first call on the page', 3_000);

    // While the server is away the page can neither reopen its socket nor read the log, so
    // what it shows afterwards can only come from the backfill on reconnect.
    let away = true;
    // A socket opened while away reaches no server: it gets no PONG and the client drops it.
    await page.routeWebSocket(/\/live$/, (ws) => { if (!away) ws.connectToServer(); });
    await page.route(/\/trpc\/.*logs\.list/, (route) => (away ? route.abort('connectionrefused') : route.fallback()));

    const stoppedAt = Date.now();
    const stopping = g!.stop();
    await waitText(page.getByTestId('live-mode'), /^Disconnected$/, 5_000);
    console.log(`disconnected shown ${Date.now() - stoppedAt} ms after shutdown began`);
    await page.getByTestId('live-disconnected').waitFor();
    await screenshot(page, 'live-disconnected');
    await Promise.race([stopping, Bun.sleep(GRACE_MS + 5_000).then(() => { throw new Error('shutdown did not finish within its grace period'); })]);
    const stopMs = Date.now() - stoppedAt;
    console.log(`shutdown took ${stopMs} ms with a Live page open`);
    expect(stopMs).toBeLessThan(GRACE_MS + 2_000);

    // A new server on the same address and data; three calls the page does not see happen.
    g = await start();
    for (const n of [1, 2, 3]) await call(`while away ${n}`);
    await g.flush();
    expect(await finished().count()).toBe(1);
    expect(await page.getByTestId('live-mode').innerText()).toBe('Disconnected');

    away = false;
    await waitText(page.getByTestId('live-mode'), /^Live$/, 15_000);
    await until(async () => (await finished().count()) === 4, 'the three missed calls filled in', 5_000);
    await waitText(page.getByTestId('live-backfilled'), '3 calls made while disconnected');
    await screenshot(page, 'live-backfilled');

    // Pushed events flow again on the new socket.
    await call('after the restart');
    await until(async () => (await finished().count()) === 5, 'a new call pushed live', 3_000);
  }, 90_000);
});
