// Console sessions (cookie attributes, logout, expiry, rotation, cross-site refusal), personal
// access tokens, and sign-in throttling per IP and per account.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { SESSION_IDLE_MS } from '../../server/auth/sessions.ts';
import { DB_KINDS, startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { Browser, codeOf, createAccount, PASSWORD, patClient } from './helpers.ts';

describe.each(DB_KINDS)('on %s', (kind) => {
  let g: TestGateway;
  let aliceId: number;

  beforeAll(async () => {
    g = await startTestGateway(kind);
    aliceId = await createAccount(g, 'alice');
    await createAccount(g, 'bob');
  }, 60_000);
  afterAll(() => g?.close());

  const db = () => g.gw.db.db;
  const latestSession = () => db().selectFrom('sessions').selectAll().where('user_id', '=', aliceId).orderBy('id', 'desc').executeTakeFirstOrThrow();

  describe('console sessions', () => {
    test('sign-in sets an HttpOnly, SameSite=Lax session cookie; logout revokes it server-side', async () => {
      const b = new Browser(g.url);
      const r = await b.login('alice');
      expect(r.user).toMatchObject({ id: aliceId, username: 'alice', role: 'user' });
      const cookie = b.lastSetCookie.find((c) => c.startsWith('sb_session='))!;
      expect(cookie).toMatch(/^sb_session=sbs_[A-Za-z0-9]{43}; /);
      expect(cookie).toContain('HttpOnly');
      expect(cookie).toContain('SameSite=Lax');
      expect(cookie).toContain('Path=/');
      expect(cookie).toContain('Max-Age=604800');
      expect(cookie).not.toContain('Secure');
      // Only the hash is stored.
      expect((await latestSession()).token_hash).not.toContain(b.cookie.slice('sb_session='.length));

      expect(await b.client.auth.me.query()).toMatchObject({ kind: 'session', username: 'alice', role: 'user', userId: aliceId });
      const stolen = b.cookie;
      expect(await b.client.auth.logout.mutate()).toEqual({ signedOut: true });
      expect(b.lastSetCookie.some((c) => c.startsWith('sb_session=;') && c.includes('Max-Age=0'))).toBe(true);
      expect(b.cookie).toBe('');
      // A copy of the old cookie is dead too: the session was revoked, not just forgotten by the browser.
      const replay = new Browser(g.url);
      replay.cookie = stolen;
      expect(await codeOf(replay.client.auth.me.query())).toBe('UNAUTHORIZED');
      expect((await latestSession()).revoked_at).not.toBeNull();
    });

    test('the cookie is Secure when the request came over TLS (x-forwarded-proto: https)', async () => {
      const b = new Browser(g.url, { 'x-forwarded-proto': 'https' });
      await b.login('alice');
      expect(b.lastSetCookie.find((c) => c.startsWith('sb_session='))).toContain('; Secure');
    });

    test('a wrong password sets no cookie; signing in again replaces the browser\'s session', async () => {
      const b = new Browser(g.url);
      expect(await codeOf(b.login('alice', 'not the password'))).toBe('UNAUTHORIZED');
      expect(b.cookie).toBe('');
      await b.login('alice');
      const first = b.cookie;
      await b.login('alice');
      expect(b.cookie).not.toBe(first);
      const old = new Browser(g.url);
      old.cookie = first;
      expect(await codeOf(old.client.auth.me.query())).toBe('UNAUTHORIZED');
      expect(await codeOf(b.client.auth.me.query())).toBe('OK');
    });

    test('a session ends at its absolute expiry', async () => {
      const b = new Browser(g.url);
      await b.login('alice');
      const s = await latestSession();
      await db().updateTable('sessions').set({ expires_at: new Date(Date.now() - 1000) }).where('id', '=', s.id).execute();
      await g.gw.invalidate(); // drops cached lookups, as any admin change does
      await expect(b.client.auth.me.query()).rejects.toThrow(/session has expired/);
    });

    test('a session ends after a day without use', async () => {
      const b = new Browser(g.url);
      await b.login('alice');
      const s = await latestSession();
      await db().updateTable('sessions').set({ last_seen_at: new Date(Date.now() - SESSION_IDLE_MS - 1000) }).where('id', '=', s.id).execute();
      await g.gw.invalidate();
      expect(await codeOf(b.client.auth.me.query())).toBe('UNAUTHORIZED');
    });

    test('tokens rotate; the previous token works only for a short grace', async () => {
      const b = new Browser(g.url);
      await b.login('alice');
      const before = b.cookie;
      const s = await latestSession();
      await db().updateTable('sessions').set({ rotated_at: new Date(Date.now() - 2 * 3600_000) }).where('id', '=', s.id).execute();
      await g.gw.invalidate();
      await b.client.auth.me.query();
      expect(b.cookie).not.toBe(before); // the answer carried a new cookie
      const rotated = await latestSession();
      expect(rotated.id).toBe(s.id);
      expect(rotated.prev_token_hash).toBe(s.token_hash);

      const old = new Browser(g.url);
      old.cookie = before;
      expect(await codeOf(old.client.auth.me.query())).toBe('OK'); // a request already in flight still succeeds
      await db().updateTable('sessions').set({ rotated_at: new Date(Date.now() - 5 * 60_000) }).where('id', '=', s.id).execute();
      await g.gw.invalidate();
      expect(await codeOf(old.client.auth.me.query())).toBe('UNAUTHORIZED');
      expect(await codeOf(b.client.auth.me.query())).toBe('OK');
    });

    test('the cookie is refused on a state-changing request from another origin', async () => {
      const b = new Browser(g.url);
      await b.login('alice');
      const evil = new Browser(g.url, { origin: 'https://evil.example' });
      evil.cookie = b.cookie;
      await expect(evil.client.keys.create.mutate({ name: 'csrf' })).rejects.toThrow(/Cross-site request refused/);
      const same = new Browser(g.url, { origin: g.url });
      same.cookie = b.cookie;
      expect(await codeOf(same.client.keys.create.mutate({ name: 'same-origin' }))).toBe('OK');
    });

    test('changing the password needs the current one and ends the other sessions', async () => {
      await createAccount(g, 'carol');
      const laptop = new Browser(g.url);
      const phone = new Browser(g.url);
      await laptop.login('carol');
      await phone.login('carol');
      const wrong = await laptop.client.auth.changePassword.mutate({ currentPassword: 'nope', newPassword: 'a brand new pass' }).catch((e) => e);
      expect(wrong.data.fields).toEqual({ currentPassword: 'is wrong' });
      const short = await laptop.client.auth.changePassword.mutate({ currentPassword: PASSWORD, newPassword: 'short' }).catch((e) => e);
      expect(short.data.fields).toEqual({ newPassword: 'must be at least 8 characters' });
      await laptop.client.auth.changePassword.mutate({ currentPassword: PASSWORD, newPassword: 'a brand new pass' });
      expect(await codeOf(laptop.client.auth.me.query())).toBe('OK');
      expect(await codeOf(phone.client.auth.me.query())).toBe('UNAUTHORIZED');
      expect(await codeOf(new Browser(g.url).login('carol'))).toBe('UNAUTHORIZED');
      expect(await codeOf(new Browser(g.url).login('carol', 'a brand new pass'))).toBe('OK');
    });

    test('a user lists and revokes their own sessions only', async () => {
      const a = new Browser(g.url);
      await a.login('alice');
      const mine = await a.client.auth.sessions.query();
      expect(mine.filter((s) => s.current)).toHaveLength(1);
      const bob = new Browser(g.url);
      await bob.login('bob');
      const bobSession = (await bob.client.auth.sessions.query()).find((s) => s.current)!;
      expect(mine.map((s) => s.id)).not.toContain(bobSession.id);
      expect(await codeOf(a.client.auth.revokeSession.mutate({ id: bobSession.id }))).toBe('NOT_FOUND');
      expect(await codeOf(bob.client.auth.me.query())).toBe('OK');
      expect(await codeOf(bob.client.auth.revokeSession.mutate({ id: bobSession.id }))).toBe('OK');
      expect(await codeOf(bob.client.auth.me.query())).toBe('UNAUTHORIZED');
    });

    test('disabling an account ends its sessions and suspends its tokens', async () => {
      const id = await createAccount(g, 'dave');
      const b = new Browser(g.url);
      await b.login('dave');
      const { client: pat } = await patClient(g, 'dave');
      await g.admin.users.update.mutate({ id, status: 2 });
      expect(await codeOf(b.client.auth.me.query())).toBe('UNAUTHORIZED');
      expect(await codeOf(pat.auth.me.query())).toBe('UNAUTHORIZED');
      expect(await codeOf(new Browser(g.url).login('dave'))).toBe('FORBIDDEN');
      await g.admin.users.update.mutate({ id, status: 1 });
      expect(await codeOf(pat.auth.me.query())).toBe('OK');
      expect(await codeOf(b.client.auth.me.query())).toBe('UNAUTHORIZED'); // revoked, not suspended
    });
  });

  describe('personal access tokens', () => {
    test('act with the owner\'s current role, are stored hashed, and stop at revocation', async () => {
      const id = await createAccount(g, 'erin');
      const { client, token, tokenId } = await patClient(g, 'erin');
      expect(token).toMatch(/^sbp_[A-Za-z0-9]{43}$/);
      const row = await db().selectFrom('access_tokens').selectAll().where('id', '=', tokenId).executeTakeFirstOrThrow();
      expect(row.token_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(row.token_hint).toBe(`sbp_…${token.slice(-4)}`);
      expect((await client.tokens.list.query()).map((t) => t.id)).toEqual([tokenId]);
      expect((await client.tokens.list.query()).every((t) => !('token_hash' in t))).toBe(true);

      expect(await client.auth.me.query()).toMatchObject({ kind: 'pat', role: 'user', username: 'erin' });
      expect(await codeOf(client.users.list.query())).toBe('FORBIDDEN');
      await g.admin.users.update.mutate({ id, role: 'admin' });
      expect(await codeOf(client.users.list.query())).toBe('OK');

      await client.tokens.revoke.mutate({ id: tokenId });
      await expect(client.auth.me.query()).rejects.toThrow(/bearer token is not valid/);
    });

    test('an expired token is refused', async () => {
      await createAccount(g, 'frank');
      const { client, tokenId } = await patClient(g, 'frank');
      await db().updateTable('access_tokens').set({ expires_at: new Date(Date.now() - 1000) }).where('id', '=', tokenId).execute();
      await g.gw.invalidate();
      expect(await codeOf(client.auth.me.query())).toBe('UNAUTHORIZED');
    });

    test('ADMIN_KEY has no account: "my" procedures explain that', async () => {
      await expect(g.admin.tokens.create.mutate({ name: 'x' })).rejects.toThrow(/ADMIN_KEY has none/);
      expect(await g.admin.auth.me.query()).toMatchObject({ kind: 'admin-key', role: 'root' });
    });
  });

  describe('sign-in throttling', () => {
    const from = (ip: string) => new Browser(g.url, { 'x-forwarded-for': ip });

    test('five failures lock the account, from every address, with a clear 429', async () => {
      await createAccount(g, 'gina');
      for (let i = 0; i < 5; i++) expect(await codeOf(from('198.51.100.1').login('gina', `guess-${i}`))).toBe('UNAUTHORIZED');
      const b = from('198.51.100.1');
      const err = await b.login('gina').catch((e) => e);
      expect(err.data.code).toBe('TOO_MANY_REQUESTS');
      expect(err.data.httpStatus).toBe(429);
      expect(err.message).toBe('Too many failed sign-in attempts. Try again in 15 minutes.');
      expect(await codeOf(from('198.51.100.77').login('gina'))).toBe('TOO_MANY_REQUESTS');
      // The address itself is not locked yet: another account signs in from it.
      expect(await codeOf(from('198.51.100.1').login('bob'))).toBe('OK');
      // The lock is in the database: it holds across instances and restarts, and ends on its own.
      await db().updateTable('login_throttle').set({ locked_until: new Date(Date.now() - 1000) }).where('key', '=', 'user:gina').execute();
      expect(await codeOf(from('198.51.100.1').login('gina'))).toBe('OK');
    });

    test('twenty failures lock the address, for every account', async () => {
      const ip = '203.0.113.9';
      for (let i = 0; i < 20; i++) expect(await codeOf(from(ip).login(`nobody-${i}`, 'whatever'))).toBe('UNAUTHORIZED');
      const res = await fetch(`${g.url}/trpc/auth.login`, {
        method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
        body: JSON.stringify({ json: { username: 'bob', password: PASSWORD } }),
      });
      expect(res.status).toBe(429);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(800);
      expect(await codeOf(from('203.0.113.10').login('bob'))).toBe('OK');
    });

    test('a successful sign-in resets the account\'s count', async () => {
      await createAccount(g, 'hank');
      for (let round = 0; round < 2; round++) {
        for (let i = 0; i < 4; i++) expect(await codeOf(from('192.0.2.50').login('hank', 'wrong'))).toBe('UNAUTHORIZED');
        expect(await codeOf(from('192.0.2.50').login('hank'))).toBe('OK');
      }
    });
  });
});
