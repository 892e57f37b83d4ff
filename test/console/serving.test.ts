// The gateway serves the built console at `/`: SPA fallback, cache headers, CSP, and never
// a file outside web/dist nor the console page on an API path.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { readdirSync } from 'node:fs';
import { ensureConsoleBuilt } from '../../server/web/freshness.ts';
import { distDir } from '../../server/web/assets.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';

describe('console serving', () => {
  let g: TestGateway;

  beforeAll(async () => {
    await ensureConsoleBuilt(() => {});
    g = await startTestGateway('pglite');
  }, 120_000);

  afterAll(async () => {
    await g?.close();
  });

  test('index.html at / and for client-side routes, revalidated, with CSP', async () => {
    for (const path of ['/', '/calls', '/channels', '/settings']) {
      const r = await fetch(`${g.url}${path}`);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toContain('text/html');
      expect(r.headers.get('cache-control')).toBe('no-cache');
      const csp = r.headers.get('content-security-policy')!;
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      expect(await r.text()).toContain('<div id="root">');
    }
  });

  test('hashed assets are cached for a year; a missing asset is a 404, not the page', async () => {
    const js = readdirSync(`${distDir}/assets`).find((f) => f.endsWith('.js'))!;
    const r = await fetch(`${g.url}/assets/${js}`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('javascript');
    expect(r.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await fetch(`${g.url}/assets/index-gone123.js`)).status).toBe(404);
  });

  test('API paths keep their own answers', async () => {
    const health = await fetch(`${g.url}/healthz`);
    expect(health.headers.get('content-type')).toContain('application/json');
    const v1 = await fetch(`${g.url}/v1/no-such-endpoint`);
    expect(v1.status).toBe(404);
    expect((await v1.json()).error).toBeDefined();
    const trpc = await fetch(`${g.url}/trpc/no.such.procedure`);
    expect(trpc.headers.get('content-type')).toContain('application/json');
  });

  test('never a file outside web/dist', async () => {
    for (const path of ['/../package.json', '/%2e%2e/package.json', '/assets/..%2f..%2fpackage.json', '/.%2e/.%2e/etc/passwd', '/%2e%2e%5cpackage.json']) {
      const r = await fetch(`${g.url}${path}`);
      const body = await r.text();
      expect(body).not.toContain('"name": "switchboard"');
      expect(body).not.toContain('root:x:0:0');
    }
  });
});
