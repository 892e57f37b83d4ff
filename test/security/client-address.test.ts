// Issue 19, trusted proxies: one client-address function. X-Forwarded-For / X-Real-IP count
// only from a trusted peer; the chain is walked right to left skipping trusted hops. A key
// allow-listed for 10.0.0.0/8 behind the nginx setup of docs/deploy.md is allowed and the call
// log records the client's address.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { loadConfig } from '../../server/config.ts';
import { ClientAddress } from '../../server/security/client-address.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { seed, type Seeded } from '../helpers/seed.ts';
import { type MockOpenAI, startMockOpenAI } from '../mocks/openai.ts';

const h = (o: Record<string, string>) => new Headers(o);

describe('ClientAddress', () => {
  const ca = new ClientAddress('127.0.0.1/32,::1/128,10.0.0.0/8');

  test('headers from an untrusted peer are ignored', () => {
    expect(ca.resolve('203.0.113.5', h({ 'x-forwarded-for': '10.1.1.1', 'x-real-ip': '10.2.2.2' }))).toBe('203.0.113.5');
    expect(ca.resolve('::ffff:203.0.113.5', h({ 'x-forwarded-for': '1.1.1.1' }))).toBe('203.0.113.5');
  });

  test('X-Forwarded-For is walked right to left, skipping trusted hops', () => {
    // client spoofs a left entry; nginx appends the real address; an inner proxy adds itself
    expect(ca.resolve('127.0.0.1', h({ 'x-forwarded-for': '6.6.6.6, 198.51.100.7, 10.0.0.2' }))).toBe('198.51.100.7');
    expect(ca.resolve('::1', h({ 'x-forwarded-for': '198.51.100.7' }))).toBe('198.51.100.7');
    // a client on the private network itself
    expect(ca.resolve('127.0.0.1', h({ 'x-forwarded-for': '10.9.9.9' }))).toBe('10.9.9.9');
    // garbage ends the chain at the last verified hop
    expect(ca.resolve('127.0.0.1', h({ 'x-forwarded-for': 'evil, 10.0.0.3' }))).toBe('10.0.0.3');
    expect(ca.resolve('127.0.0.1', h({ 'x-forwarded-for': '[2001:db8::1]:443' }))).toBe('2001:db8::1');
  });

  test('X-Real-IP is used from a trusted peer when there is no X-Forwarded-For', () => {
    expect(ca.resolve('127.0.0.1', h({ 'x-real-ip': '198.51.100.9' }))).toBe('198.51.100.9');
    expect(ca.resolve('127.0.0.1', h({ 'x-real-ip': 'nonsense' }))).toBe('127.0.0.1');
    expect(ca.resolve('127.0.0.1', h({}))).toBe('127.0.0.1');
  });

  test('TRUSTED_PROXIES is validated at start', () => {
    expect(loadConfig({}).trustedProxies).toBe('127.0.0.1/32,::1/128');
    expect(loadConfig({ TRUSTED_PROXIES: '127.0.0.1/32, 10.0.0.0/8,fd00::/8' }).trustedProxies).toContain('10.0.0.0/8');
    expect(() => loadConfig({ TRUSTED_PROXIES: '10.0.0.0/33' })).toThrow(/TRUSTED_PROXIES/);
    expect(() => loadConfig({ TRUSTED_PROXIES: 'proxy.local' })).toThrow(/TRUSTED_PROXIES/);
  });
});

describe('relay behind a trusted proxy', () => {
  let mock: MockOpenAI;
  let g: TestGateway;
  let s: Seeded;

  beforeAll(async () => {
    mock = await startMockOpenAI();
    // The test client plays nginx on the same host (loopback is trusted by default).
    g = await startTestGateway('postgres');
    s = await seed(g, mock.url);
    await g.admin.keys.update.mutate({ id: s.keyId, ipAllow: ['10.0.0.0/8'] });
  }, 60_000);
  afterAll(async () => {
    await g?.close();
    mock?.stop();
  });

  const chat = (headers: Record<string, string>) => fetch(`${g.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${s.key}`, ...headers },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
  });

  test('a key allow-listed for 10.0.0.0/8 is allowed for a 10.x client and the log records its address', async () => {
    const res = await chat({ 'x-forwarded-for': '6.6.6.6, 10.20.30.40' });
    expect(res.status).toBe(200);
    const id = res.headers.get('x-request-id')!;
    await g.flush();
    const row = await g.gw.db.db.selectFrom('call_logs').select(['client_ip']).where('request_id', '=', id).executeTakeFirstOrThrow();
    expect(row.client_ip).toBe('10.20.30.40');
  });

  test('the proxy itself, or a spoofed left entry, is not the client', async () => {
    const direct = await chat({});
    expect(direct.status).toBe(403);
    expect(((await direct.json()) as { error: { code: string } }).error.code).toBe('ip_not_allowed');
    expect((await chat({ 'x-forwarded-for': '10.1.1.1, 198.51.100.4' })).status).toBe(403);
  });
});
