// Console end-to-end helpers: a built console, a real gateway, headless Debian Chromium
// through playwright-core (never a downloaded browser), sign-in, screenshots and the
// in-page accessibility checks.
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import OpenAI from 'openai';
import { ensureConsoleBuilt } from '../../server/web/freshness.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { type MockOpenAI, startMockOpenAI } from '../mocks/openai.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = resolve(import.meta.dir, '../artifacts');
export const ROOT_PASSWORD = 'test-root-password';

/** Fails loudly (never skips) when the browser is missing. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM}. Install it with: apt-get install -y chromium (or set CHROMIUM_PATH).`);
  }
  await ensureConsoleBuilt(() => {});
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** What a console test runs against: a gateway on a fresh embedded database, a mock OpenAI upstream, the browser. */
export interface ConsoleRig {
  g: TestGateway;
  mock: MockOpenAI;
  browser: Browser;
}

/** Starts the three together. */
export async function startConsoleRig(): Promise<ConsoleRig> {
  const [g, mock, browser] = await Promise.all([startTestGateway('pglite'), startMockOpenAI(), launchBrowser()]);
  return { g, mock, browser };
}

/** Closes whatever of a rig was started: the browser, the mock, then the gateway. */
export async function stopConsoleRig(rig: { g?: TestGateway; mock?: MockOpenAI; browser?: Browser }): Promise<void> {
  await rig.browser?.close();
  rig.mock?.stop();
  await rig.g?.close();
}

/** A channel `name` on the mock serving `models`, with gpt-4o-mini priced at $0.15 / $0.60 per M tokens. */
export async function addPricedMockChannel(g: TestGateway, mock: MockOpenAI, models: string[], name = 'mock'): Promise<void> {
  await g.admin.channels.create.mutate({ name, type: 1, baseUrl: mock.url, key: 'sk-upstream', models });
  await g.admin.prices.set.mutate({ model: 'gpt-4o-mini', inputUsdPerM: '0.15', outputUsdPerM: '0.6' });
}

/** `count` gpt-4o-mini calls through the relay with `key` (saying `${prefix} 0`, `${prefix} 1`, …), then their logs flushed. */
export async function relayChats(g: TestGateway, key: string, count: number, prefix: string): Promise<void> {
  const client = new OpenAI({ baseURL: `${g.url}/v1`, apiKey: key });
  for (let i = 0; i < count; i++) await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `${prefix} ${i}` }] });
  await g.flush();
}

export async function newContext(browser: Browser, baseURL: string, opts: { locale?: string; colorScheme?: 'light' | 'dark'; phone?: boolean } = {}): Promise<BrowserContext> {
  const ctx = await browser.newContext({
    baseURL,
    locale: opts.locale ?? 'en-US',
    colorScheme: opts.colorScheme ?? 'light',
    viewport: opts.phone ? { width: 390, height: 844 } : { width: 1360, height: 900 },
    reducedMotion: 'reduce',
  });
  await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseURL });
  return ctx;
}

export async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.goto('/');
  await page.getByLabel(/^(Username|用户名)$/).fill(username);
  await page.getByLabel(/^(Password|密码)$/).fill(password);
  await page.getByRole('button', { name: /^(Sign in|登录)$/ }).click();
  await page.getByTestId('whoami').waitFor();
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = join(ARTIFACTS, `console-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

export interface A11yReport {
  /** Inputs, selects and textareas without an accessible name. */
  unlabeled: string[];
  /** Buttons and links without an accessible name. */
  unnamed: string[];
  /** Interactive elements removed from the tab order. */
  unfocusable: string[];
  /** Text whose contrast against its background is below 4.5:1. */
  lowContrast: Array<{ text: string; ratio: number }>;
}

/**
 * Checks run inside the page: every form control has a label, every control can be
 * focused, and every visible text node has a contrast of at least 4.5:1 (WCAG AA body text)
 * against the first opaque background behind it.
 */
export function checkA11y(page: Page): Promise<A11yReport> {
  return page.evaluate(() => {
    const describe = (el: Element) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.getAttribute('name') ? `[name=${el.getAttribute('name')}]` : ''} "${(el.textContent ?? '').trim().slice(0, 30)}"`;
    const visible = (el: Element) => {
      const r = (el as HTMLElement).getBoundingClientRect();
      const s = getComputedStyle(el);
      return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none';
    };
    const named = (el: Element) => {
      if (el.getAttribute('aria-label')?.trim() || el.getAttribute('title')?.trim()) return true;
      const by = el.getAttribute('aria-labelledby');
      if (by && by.split(/\s+/).some((id) => document.getElementById(id)?.textContent?.trim())) return true;
      if ((el as HTMLInputElement).labels?.length) return [...(el as HTMLInputElement).labels!].some((l) => l.textContent?.trim());
      return false;
    };
    const unlabeled = [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
      .filter((el) => !named(el) && !(el.closest('label')?.textContent?.trim())).map(describe);
    const unnamed = [...document.querySelectorAll('button, a[href], [role=button]')]
      .filter((el) => visible(el) && !(el.textContent?.trim()) && !named(el)).map(describe);
    const unfocusable = [...document.querySelectorAll('button, a[href], input, select, textarea')]
      .filter((el) => visible(el) && !(el as HTMLButtonElement).disabled && (el as HTMLElement).tabIndex < 0 && !el.closest('[aria-hidden=true]'))
      .filter((el) => !(el as HTMLInputElement).classList.contains('sr-only')).map(describe);

    // rgb()/rgba() in 0-255, or color(srgb …) in 0-1 (what color-mix() computes to).
    const parse = (c: string) => {
      const m = c.match(/[\d.]+/g)?.map(Number) ?? [0, 0, 0, 0];
      const k = c.startsWith('color(') ? 255 : 1;
      return { r: m[0]! * k, g: m[1]! * k, b: m[2]! * k, a: m[3] ?? 1 };
    };
    const lum = ({ r, g, b }: { r: number; g: number; b: number }) => {
      const f = (v: number) => { const x = v / 255; return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4; };
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const background = (el: Element | null): { r: number; g: number; b: number } => {
      for (let e = el; e; e = e.parentElement) {
        const c = parse(getComputedStyle(e).backgroundColor);
        if (c.a >= 0.95) return c;
      }
      return parse(getComputedStyle(document.body).backgroundColor);
    };
    const lowContrast: Array<{ text: string; ratio: number }> = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      const text = n.textContent?.trim();
      if (!el || !text || !visible(el) || el.closest('[aria-hidden=true], .sr-only, .uplot, [disabled], :disabled, option')) continue;
      const s = getComputedStyle(el);
      if (Number(s.opacity) < 1) continue;
      const fg = parse(s.color);
      const bg = background(el);
      // Blend a translucent text colour over its background before measuring.
      const blended = { r: fg.r * fg.a + bg.r * (1 - fg.a), g: fg.g * fg.a + bg.g * (1 - fg.a), b: fg.b * fg.a + bg.b * (1 - fg.a) };
      const [hi, lo] = [lum(blended), lum(bg)].sort((a, b) => b - a) as [number, number];
      const ratio = (hi + 0.05) / (lo + 0.05);
      if (ratio < 4.5) lowContrast.push({ text: text.slice(0, 40), ratio: Math.round(ratio * 100) / 100 });
    }
    return { unlabeled, unnamed, unfocusable, lowContrast };
  });
}

/** Poll until `fn` returns a truthy value (playwright-core has no test matchers). */
export async function until<T>(fn: () => Promise<T> | T, what: string, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
      last = v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    await Bun.sleep(50);
  }
}

/** Wait until the element's text matches. */
export async function waitText(locator: Locator, match: string | RegExp, timeoutMs = 5_000): Promise<string> {
  return (await until(async () => {
    const text = (await locator.innerText({ timeout: timeoutMs })).trim();
    return (typeof match === 'string' ? text.includes(match) : match.test(text)) ? text : false;
  }, `text ${match}`, timeoutMs)) as string;
}
