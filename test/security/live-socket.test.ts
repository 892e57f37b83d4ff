// Issue 20 rows 8 and 11: a /live upgrade carrying the console's cookie from a foreign Origin is
// refused (cross-site WebSocket hijacking); one socket holds at most
// MAX_SUBSCRIPTIONS_PER_SOCKET live subscriptions.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import superjson from 'superjson';
import { MAX_SUBSCRIPTIONS_PER_SOCKET } from '../../server/admin/live-router.ts';
import { Browser, createAccount } from '../admin/helpers.ts';
import { ADMIN_KEY, startTestGateway, type TestGateway } from '../helpers/gateway.ts';

describe('/live socket', () => {
  let g: TestGateway;
  let cookie: string;

  beforeAll(async () => {
    g = await startTestGateway('pglite');
    await createAccount(g, 'victim', 'admin');
    const b = new Browser(g.url);
    await b.login('victim');
    cookie = b.cookie;
  }, 60_000);
  afterAll(() => g?.close());

  /** Opens /live with these headers; resolves 'open' or the close/error outcome. */
  function connect(headers: Record<string, string>) {
    const ws = new WebSocket(`${g.url.replace('http', 'ws')}/live`, { headers } as unknown as string[]);
    const outcome = new Promise<string>((resolve) => {
      ws.addEventListener('open', () => resolve('open'));
      ws.addEventListener('error', () => resolve('refused'));
      ws.addEventListener('close', (e) => resolve(`closed ${e.code}`));
    });
    return { ws, outcome };
  }

  test('a foreign Origin with the victim\'s cookie is refused; the console\'s own origin is accepted', async () => {
    const host = new URL(g.url).host;
    const evil = connect({ cookie, origin: 'https://evil.example' });
    expect(await evil.outcome).not.toBe('open');
    const sibling = connect({ cookie, origin: `http://sub.${host}` });
    expect(await sibling.outcome).not.toBe('open');
    // The same check over plain HTTP: 403 before any upgrade.
    const res = await fetch(`${g.url}/live`, { headers: { cookie, origin: 'https://evil.example', connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' } });
    expect(res.status).toBe(403);
    const own = connect({ cookie, origin: `http://${host}` });
    expect(await own.outcome).toBe('open');
    own.ws.close();
    // Non-browser clients send no Origin.
    const cli = connect({ authorization: `Bearer ${ADMIN_KEY}` });
    expect(await cli.outcome).toBe('open');
    cli.ws.close();
  });

  test(`one socket holds at most ${MAX_SUBSCRIPTIONS_PER_SOCKET} subscriptions`, async () => {
    const { ws, outcome } = connect({ authorization: `Bearer ${ADMIN_KEY}` });
    expect(await outcome).toBe('open');
    const replies = new Map<number, string>();
    ws.addEventListener('message', (e) => {
      // superjson-encoded error envelopes: { error: { json: { data: { code } } } }
      const m = JSON.parse(String(e.data)) as { id: number; result?: { type: string }; error?: { json?: { data?: { code?: string } } } };
      if (!replies.has(m.id)) replies.set(m.id, m.error ? (m.error.json?.data?.code ?? 'ERROR') : m.result!.type);
    });
    const total = MAX_SUBSCRIPTIONS_PER_SOCKET + 8;
    for (let id = 1; id <= total; id++) {
      ws.send(JSON.stringify({ id, method: 'subscription', params: { path: 'live.events', input: superjson.serialize({}) } }));
    }
    for (let i = 0; i < 100 && replies.size < total; i++) await Bun.sleep(50);
    const refused = [...replies.values()].filter((r) => r === 'TOO_MANY_REQUESTS').length;
    const started = [...replies.values()].filter((r) => r === 'started').length;
    console.log(`[live] ${total} subscriptions asked on one socket: ${started} started, ${refused} refused`);
    expect(started).toBe(MAX_SUBSCRIPTIONS_PER_SOCKET);
    expect(refused).toBe(8);
    // Stopping one frees a place.
    ws.send(JSON.stringify({ id: 1, method: 'subscription.stop' }));
    await Bun.sleep(100);
    replies.delete(total + 1);
    ws.send(JSON.stringify({ id: total + 1, method: 'subscription', params: { path: 'live.events', input: superjson.serialize({}) } }));
    for (let i = 0; i < 40 && !replies.has(total + 1); i++) await Bun.sleep(50);
    expect(replies.get(total + 1)).toBe('started');
    ws.close();
  });
});
