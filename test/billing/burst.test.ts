// A burst of reservations against a balance that covers them all must all succeed: when
// many requests wait on one lease claim and the first ones spend it, the rest claim again.
// Only the database refusing a claim (the money is not there) may turn a call away.
// Found by `bun run bench:streams`: 143 of 2,000 streams ramped in over 1 s got a 403
// insufficient_quota against a $1,000,000 balance.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';

/** A gateway on Postgres with one $1,000 user (named `name`) and a key of theirs, for the describe block it is called in. */
function withUserAndKey(name: string) {
  const f = { g: null as unknown as TestGateway, userId: 0, keyId: 0 };
  beforeAll(async () => {
    f.g = await startTestGateway('postgres');
    f.userId = (await f.g.admin.users.create.mutate({ username: name, balanceUsd: '1000' })).id;
    f.keyId = (await f.g.admin.keys.create.mutate({ name, user: name })).id;
    await f.g.gw.invalidate();
  });
  afterAll(() => f.g?.close());
  return f;
}

describe('reservation bursts on postgres', () => {
  const f = withUserAndKey('burst');

  const entries = () => ({ user: f.g.gw.store.user(f.userId)!, key: f.g.gw.store.keyById(f.keyId)! });

  test('2,000 concurrent reservations within the balance all succeed, and settle exactly', async () => {
    const { user, key } = entries();
    const amount = 50_000_000n; // $0.05 each, $100 in all against $1,000
    const results = await Promise.all(Array.from({ length: 2000 }, () => f.g.gw.accounts.reserve(user, key, amount)));
    const refused = results.filter((r) => !r.ok);
    expect(refused).toHaveLength(0);
    expect(f.g.gw.accounts.userState(f.userId).reserved).toBe(2000n * amount);
    for (const r of results) if (r.ok) f.g.gw.accounts.settle(r.reservation, 1_000_000n);
    expect(f.g.gw.accounts.userState(f.userId).reserved).toBe(0n);
    expect(f.g.gw.accounts.userState(f.userId).pending).toBe(2000n * 1_000_000n);
  });

  test('a burst beyond the balance is refused only for what the balance cannot cover', async () => {
    const { user, key } = entries();
    const amount = 1_000_000_000n; // $1 each; the user has $998 left
    const results = await Promise.all(Array.from({ length: 1500 }, () => f.g.gw.accounts.reserve(user, key, amount)));
    const granted = results.filter((r) => r.ok).length;
    // $1,000 − $2 settled above leaves room for 998 whole dollars, and never more.
    expect(granted).toBeLessThanOrEqual(998);
    expect(granted).toBeGreaterThan(900);
    expect(results.filter((r) => !r.ok).every((r) => !r.ok && r.reason === 'balance')).toBe(true);
    for (const r of results) if (r.ok) f.g.gw.accounts.settle(r.reservation, 0n);
  });
});

describe('lease claims under steady traffic', () => {
  const f = withUserAndKey('steady');

  // A claim is a database round trip (and a transaction) of its own. Sized by a multiple of
  // one reservation only, a busy key claimed every 8 calls: 0.12 claims per call, more
  // transactions than the log writer's at one connection (docs/performance.md, issue 23).
  test('claims grow with the pace: a few in the first second, about one per second after', async () => {
    let claims = 0;
    const accounts = f.g.gw.accounts as unknown as { claim: (...a: unknown[]) => Promise<void> };
    const claim = accounts.claim.bind(accounts);
    accounts.claim = (...a: unknown[]) => { claims++; return claim(...a); };
    const user = f.g.gw.store.user(f.userId)!;
    const key = f.g.gw.store.keyById(f.keyId)!;
    const amount = 100_000n; // $0.0001
    let calls = 0;
    for (const end = Date.now() + 2_500; Date.now() < end; ) {
      for (let i = 0; i < 10; i++) {
        const r = await f.g.gw.accounts.reserve(user, key, amount);
        expect(r.ok).toBe(true);
        if (r.ok) f.g.gw.accounts.settle(r.reservation, amount / 2n);
        calls++;
      }
      await Bun.sleep(1);
    }
    expect(calls).toBeGreaterThan(1000);
    // Before: calls / 8 claims (~150+ here). Now: doubling in the first second, ~1/s after.
    expect(claims).toBeLessThan(25);
    expect(f.g.gw.accounts.userState(f.userId).reserved).toBe(0n);
    expect(f.g.gw.accounts.userState(f.userId).pending).toBe(BigInt(calls) * (amount / 2n));
  });
});
