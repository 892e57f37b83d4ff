// Issue 20 row 3: the sign-in throttle counts an attempt before the password is checked, per
// account and per client address; each call in a tRPC batch counts, and batches are capped.
// Issue 19: X-Forwarded-For counts only from a trusted proxy, so rotating it from an untrusted
// peer does not beat the per-address limit.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import superjson from 'superjson';
import { MAX_BATCH_SIZE } from '../../server/admin/plugin.ts';
import { ACCOUNT_FAILURE_LIMIT, IP_FAILURE_LIMIT } from '../../server/auth/throttle.ts';
import { Browser, codeOf, createAccount, PASSWORD } from '../admin/helpers.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';

/** One raw tRPC batch of `auth.login` calls (what httpBatchLink sends). */
async function loginBatch(url: string, inputs: { username: string; password: string }[], headers: Record<string, string> = {}) {
  const paths = inputs.map(() => 'auth.login').join(',');
  const body = Object.fromEntries(inputs.map((input, i) => [i, superjson.serialize(input)]));
  const res = await fetch(`${url}/trpc/${paths}?batch=1`, {
    method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() as unknown };
}

describe('sign-in throttle on postgres', () => {
  let g: TestGateway;
  const checks = () => g.gw.auth.throttle.passwordChecks;

  beforeAll(async () => {
    g = await startTestGateway('postgres');
  }, 60_000);
  afterAll(() => g?.close());

  test('200 concurrent wrong passwords, the right one at position 150: refused; only the limit is checked', async () => {
    await createAccount(g, 'victim');
    const before = checks();
    // Every guess from its own address: only the per-account count can stop them.
    const attempts = Array.from({ length: 200 }, (_, i) =>
      codeOf(new Browser(g.url, { 'x-forwarded-for': `198.18.${i >> 8}.${i & 255}` }).login('victim', i === 150 ? PASSWORD : `guess-${i}`)));
    const codes = await Promise.all(attempts);
    const checked = checks() - before;
    console.log(`[throttle] 200 concurrent attempts: ${checked} password checks, ${codes.filter((c) => c === 'TOO_MANY_REQUESTS').length} refused with 429, position 150 → ${codes[150]}`);
    expect(codes[150]).toBe('TOO_MANY_REQUESTS');
    expect(checked).toBeLessThanOrEqual(ACCOUNT_FAILURE_LIMIT);
    expect(codes.filter((c) => c === 'UNAUTHORIZED').length).toBe(checked);
    expect(codes.filter((c) => c === 'TOO_MANY_REQUESTS').length).toBe(200 - checked);
    // Still locked afterwards, for the right password too.
    expect(await codeOf(new Browser(g.url, { 'x-forwarded-for': '198.18.9.9' }).login('victim'))).toBe('TOO_MANY_REQUESTS');
  }, 60_000);

  test('a batch of 100 auth.login calls checks no passwords (over the cap); a batch under it is counted call by call', async () => {
    await createAccount(g, 'batchy');
    let before = checks();
    const big = await loginBatch(g.url, Array.from({ length: 100 }, (_, i) => ({ username: 'batchy', password: `guess-${i}` })), { 'x-forwarded-for': '198.19.0.1' });
    expect(big.status).toBe(400);
    expect(JSON.stringify(big.body)).toContain('Batch call exceeds maximum size');
    expect(checks() - before).toBe(0);

    before = checks();
    const inputs = Array.from({ length: MAX_BATCH_SIZE }, (_, i) => ({ username: 'batchy', password: i === 40 ? PASSWORD : `guess-${i}` }));
    const batch = await loginBatch(g.url, inputs, { 'x-forwarded-for': '198.19.0.2' });
    const codes = (batch.body as { error?: { json: { data: { code: string } } } }[]).map((r) => r.error?.json.data.code ?? 'OK');
    console.log(`[throttle] batch of ${MAX_BATCH_SIZE} logins: ${checks() - before} password checks`);
    expect(checks() - before).toBeLessThanOrEqual(ACCOUNT_FAILURE_LIMIT);
    expect(codes[40]).toBe('TOO_MANY_REQUESTS');

    // Many accounts from one address: the address's limit caps the checks.
    before = checks();
    const spray = await loginBatch(g.url, Array.from({ length: MAX_BATCH_SIZE }, (_, i) => ({ username: `spray-${i}`, password: 'x' })), { 'x-forwarded-for': '198.19.0.3' });
    expect(spray.status).not.toBe(200);
    expect(checks() - before).toBeLessThanOrEqual(IP_FAILURE_LIMIT);
  });

  test('successful sign-ins from one address never lock it', async () => {
    await createAccount(g, 'office');
    const from = () => new Browser(g.url, { 'x-forwarded-for': '198.19.1.1' });
    for (let i = 0; i <= IP_FAILURE_LIMIT; i++) expect(await codeOf(from().login('office'))).toBe('OK');
  });
});

describe('sign-in throttle behind an untrusted peer', () => {
  let g: TestGateway;
  beforeAll(async () => {
    // The test client connects from 127.0.0.1, which is not a trusted proxy here.
    g = await startTestGateway('pglite', { TRUSTED_PROXIES: '10.0.0.0/8' });
  }, 60_000);
  afterAll(() => g?.close());

  test('rotating X-Forwarded-For does not beat the per-address limit', async () => {
    for (let i = 0; i < IP_FAILURE_LIMIT; i++) {
      expect(await codeOf(new Browser(g.url, { 'x-forwarded-for': `203.0.113.${i}` }).login(`nobody-${i}`, 'x'))).toBe('UNAUTHORIZED');
    }
    const codes = await Promise.all([1, 2, 3].map((i) => codeOf(new Browser(g.url, { 'x-forwarded-for': `198.51.100.${i}`, 'x-real-ip': `192.0.2.${i}` }).login(`fresh-${i}`, 'x'))));
    expect(codes).toEqual(['TOO_MANY_REQUESTS', 'TOO_MANY_REQUESTS', 'TOO_MANY_REQUESTS']);
    const row = await g.gw.db.db.selectFrom('login_throttle').selectAll().where('key', '=', 'ip:127.0.0.1').executeTakeFirstOrThrow();
    expect(row.locked_until).not.toBeNull();
  });
});
