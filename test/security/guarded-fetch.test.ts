// Issue 20 row 7: one guarded fetch for every server-side request. Metadata addresses in every
// IPv6 spelling, failed lookups, redirects to forbidden hops, DNS answers that change: refused.
// Balance and model-list errors never carry a redirect target's body; a Vertex token_uri is
// checked; a channel written straight into the database (as an importer does) is re-checked at
// request time.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { generateKeyPairSync } from 'node:crypto';
import { getAccessToken } from '../../server/relay/providers/vertex/token.ts';
import { blockedReason, embeddedIPv4, UpstreamBlockedError, UpstreamGuard } from '../../server/security/guarded-fetch.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { seed } from '../helpers/seed.ts';
import { buildFixture } from '../importer/fixtures/data.ts';
import { buildSqliteFixture } from '../importer/fixtures/build.ts';

const hostOf = (url: string) => new URL(url).hostname.replace(/^\[|\]$/g, '');

describe('address policy', () => {
  test('metadata and link-local in every spelling are refused; private and loopback are not', () => {
    for (const url of [
      'http://169.254.169.254/', 'http://[::169.254.169.254]/', 'http://[::ffff:169.254.169.254]/', 'http://[::ffff:0:169.254.169.254]/',
      'http://[64:ff9b::169.254.169.254]/', 'http://[64:ff9b:1::a9fe:a9fe]/', 'http://[2002:a9fe:a9fe::1]/', 'http://[fe80::1]/',
      'http://[fd00:ec2::254]/', 'http://100.100.100.200/', 'http://2852039166/', 'http://0xa9.0xfe.0xa9.0xfe/',
    ]) {
      expect(blockedReason(hostOf(url))).not.toBeNull();
    }
    for (const url of ['http://10.0.0.5/', 'http://127.0.0.1/', 'http://[::1]/', 'http://192.168.1.10/', 'http://[64:ff9b::8.8.8.8]/', 'http://[2001:db8::1]/']) {
      expect(blockedReason(hostOf(url))).toBeNull();
    }
    expect(embeddedIPv4('64:ff9b::a9fe:a9fe')).toBe('169.254.169.254');
  });

  test('a failed lookup is refused, and so is a name with any bad address', async () => {
    const guard = new UpstreamGuard({ allowAll: false });
    await expect(guard.fetch('http://no-such-host.invalid/v1')).rejects.toBeInstanceOf(UpstreamBlockedError);
    const mixed = new UpstreamGuard({ allowAll: false, lookup: async () => ['93.184.216.34', '169.254.169.254'] });
    await expect(mixed.check('http://mixed.test/')).rejects.toThrow(/169\.254\.169\.254/);
    await expect(guard.check('file:///etc/passwd')).rejects.toThrow(/not allowed/);
  });
});

describe('guarded fetch', () => {
  const seen: string[] = [];
  let secretServer: ReturnType<typeof Bun.serve>;
  let redirector: ReturnType<typeof Bun.serve>;

  beforeAll(() => {
    secretServer = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: (req) => { seen.push(req.headers.get('host')!); return new Response('TOP-SECRET-INTERNAL-BODY'); } });
    redirector = Bun.serve({
      port: 0, hostname: '127.0.0.1',
      fetch: (req) => {
        const to = new URL(req.url).searchParams.get('to') ?? '';
        return new Response('moved', { status: 302, headers: { location: to } });
      },
    });
  });
  afterAll(() => {
    secretServer.stop(true);
    redirector.stop(true);
  });

  test('connects to the checked address, keeping the name in Host', async () => {
    let lookups = 0;
    const guard = new UpstreamGuard({ allowAll: false, lookup: async () => { lookups++; return ['127.0.0.1']; } });
    const res = await guard.fetch(`http://upstream.test:${secretServer.port}/x`);
    expect(await res.text()).toBe('TOP-SECRET-INTERNAL-BODY');
    expect(seen.at(-1)).toBe(`upstream.test:${secretServer.port}`);
    await guard.fetch(`http://upstream.test:${secretServer.port}/x`);
    expect(lookups).toBe(1); // cached for the hot path
  });

  test('a name that rebinds to a metadata address is refused at request time', async () => {
    let answer = '127.0.0.1';
    const guard = new UpstreamGuard({ allowAll: false, cacheMs: 0, lookup: async () => [answer] });
    expect((await guard.fetch(`http://rebind.test:${secretServer.port}/`)).status).toBe(200);
    answer = '169.254.169.254';
    await expect(guard.fetch(`http://rebind.test:${secretServer.port}/`)).rejects.toBeInstanceOf(UpstreamBlockedError);
  });

  test('redirects: not followed by default; each followed hop is checked', async () => {
    const guard = new UpstreamGuard({ allowAll: false });
    const base = `http://127.0.0.1:${redirector.port}/?to=`;
    const unfollowed = await guard.fetch(base + encodeURIComponent(`http://127.0.0.1:${secretServer.port}/`));
    expect(unfollowed.status).toBe(302);
    expect(await unfollowed.text()).toBe('moved');
    await expect(guard.fetch(base + encodeURIComponent('http://[::ffff:169.254.169.254]/latest/meta-data'), { maxRedirects: 3 })).rejects.toBeInstanceOf(UpstreamBlockedError);
    const followed = await guard.fetch(base + encodeURIComponent(`http://127.0.0.1:${secretServer.port}/ok`), { maxRedirects: 3 });
    expect(await followed.text()).toBe('TOP-SECRET-INTERNAL-BODY');
  });

  test('a Vertex token_uri on a metadata address is never fetched', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const sa = { type: 'service_account', client_email: 'x@p.iam.gserviceaccount.com', private_key: pem, project_id: 'p', token_uri: 'http://[64:ff9b::a9fe:a9fe]/computeMetadata/v1/token' };
    await expect(getAccessToken(sa as never)).rejects.toBeInstanceOf(UpstreamBlockedError);
  });

  describe('through the gateway', () => {
    let g: TestGateway;
    beforeAll(async () => {
      g = await startTestGateway('pglite');
    }, 60_000);
    afterAll(() => g?.close());

    test('balance and model list do not follow a redirect nor return its target\'s body', async () => {
      const target = encodeURIComponent(`http://127.0.0.1:${secretServer.port}/`);
      const { id } = await g.admin.channels.create.mutate({ name: 'redir', type: 1, baseUrl: `http://127.0.0.1:${redirector.port}/v1?to=${target}`, key: 'sk-redirect-test-key', models: ['m'] });
      const models = await g.admin.channels.fetchModels.mutate({ id }).then(() => 'OK', (e: Error) => e.message);
      expect(models).toMatch(/redirect, not followed/);
      expect(models).not.toContain('TOP-SECRET');
      const ch = g.gw.store.channel(id)!;
      const { refreshBalance } = await import('../../server/channels/balance.ts');
      const bal = await refreshBalance(g.gw, ch);
      expect(bal.error ?? '').not.toContain('TOP-SECRET');
    });

    test('the One API importer imports a channel on a metadata address disabled, with the reason', async () => {
      const fx = await buildFixture();
      fx.data.channels.push({ ...fx.data.channels[0]!, id: 99, name: 'imds', base_url: 'http://[::ffff:169.254.169.254]', models: 'imds-model' });
      const src = await buildSqliteFixture(fx.data);
      try {
        const report = await g.admin.import.oneapi.mutate({ dsn: src.dsn });
        expect(JSON.stringify(report)).toContain('base URL refused');
        const row = await g.gw.db.db.selectFrom('channels').select(['status', 'status_reason']).where('oneapi_id', '=', 99).executeTakeFirstOrThrow();
        expect(row.status).toBe(2);
        expect(row.status_reason).toMatch(/169\.254\.169\.254|a9fe/);
      } finally {
        await src.drop();
      }
    }, 60_000);

    test('a channel written straight into the database (as an importer does) is re-checked per request', async () => {
      const s = await seed(g, `http://127.0.0.1:${secretServer.port}`, { models: ['meta-model'] });
      await g.gw.db.db.updateTable('channels').set({ base_url: 'http://169.254.169.254/v1' }).where('id', '=', s.channelId).execute();
      await g.gw.invalidate();
      const res = await fetch(`${g.url}/v1/chat/completions`, {
        method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${s.key}` },
        body: JSON.stringify({ model: 'meta-model', messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(res.status).toBe(502);
      const body = await res.json() as { error: { code: string; message: string } };
      expect(body.error.code).toBe('upstream_blocked');
      expect(body.error.message).not.toContain('169.254');
    });
  });
});
