// The authorization matrix, generated from the router: every procedure, called as anonymous,
// user, admin, root and ADMIN_KEY, is allowed or denied exactly as its declared `access`
// says. A procedure added later is covered automatically; one that declares no access, or is
// public without being listed below, fails here.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { AnyProcedure } from '@trpc/server';
import { createAdminContext } from '../../server/admin/plugin.ts';
import { appRouter } from '../../server/admin/router.ts';
import type { Access } from '../../server/auth/principal.ts';
import { ADMIN_KEY, startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { createAccount, patClient, rawCall } from './helpers.ts';

/** Reachable without signing in, on purpose. */
const PUBLIC = new Set(['auth.login', 'auth.logout']);

type Role = 'anonymous' | 'user' | 'admin' | 'root' | 'admin-key';
const RANK: Record<Role, number> = { anonymous: 0, user: 1, admin: 2, root: 3, 'admin-key': 3 };
const NEED: Record<Access, number> = { public: 0, user: 1, admin: 2, root: 3 };

const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, AnyProcedure>).map(([path, p]) => ({
  path,
  type: p._def.type as 'query' | 'mutation' | 'subscription',
  access: (p._def.meta as { access?: Access } | undefined)?.access,
  hasInput: p._def.inputs.length > 0,
}));

/** Fails every schema that expects an object, so allowed calls stop at validation and change nothing. */
const PROBE = '__authz_probe__';

describe('every procedure declares its access', () => {
  test.each(procedures.map((p) => [p.path, p.access] as const))('%s declares %s', (path, access) => {
    expect(['public', 'user', 'admin', 'root']).toContain(access as string);
    if (access === 'public') expect(PUBLIC.has(path) ? 'listed public' : `${path} is public but not in PUBLIC`).toBe('listed public');
  });
});

describe('authorization matrix over HTTP', () => {
  let g: TestGateway;
  const headers: Record<Role, Record<string, string>> = { anonymous: {}, user: {}, admin: {}, root: {}, 'admin-key': { authorization: `Bearer ${ADMIN_KEY}` } };

  beforeAll(async () => {
    g = await startTestGateway('pglite');
    await createAccount(g, 'mx-user', 'user');
    await createAccount(g, 'mx-admin', 'admin');
    // The root account exists from first start (ADMIN_PASSWORD in the test gateway).
    for (const [role, name, pw] of [['user', 'mx-user'], ['admin', 'mx-admin'], ['root', 'root', 'test-root-password']] as const) {
      headers[role] = { authorization: `Bearer ${(await patClient(g, name, pw)).token}` };
    }
  }, 120_000);
  afterAll(() => g?.close());

  const roles: Role[] = ['anonymous', 'user', 'admin', 'root', 'admin-key'];
  // No-input mutations run for real when allowed: do them after everything else.
  const ordered = [...procedures].sort((a, b) => Number(a.type === 'mutation' && !a.hasInput) - Number(b.type === 'mutation' && !b.hasInput));

  test('anonymous, user, admin, root and ADMIN_KEY get exactly their access', async () => {
    const wrong: string[] = [];
    let checked = 0;
    for (const p of ordered) {
      for (const role of roles) {
        const allowed = RANK[role] >= NEED[p.access ?? 'root'];
        const input = p.hasInput ? PROBE : undefined;
        const code = p.type === 'subscription'
          ? await subscriptionCode(g, p.path, input, headers[role])
          : (await rawCall(g.url, p.path, p.type, input, headers[role])).code;
        const expected = allowed ? 'not UNAUTHORIZED/FORBIDDEN' : role === 'anonymous' ? 'UNAUTHORIZED' : 'FORBIDDEN';
        const ok = allowed ? code !== 'UNAUTHORIZED' && code !== 'FORBIDDEN' : code === expected;
        if (!ok) wrong.push(`${p.path} (${p.access}) as ${role}: got ${code}, expected ${expected}`);
        checked++;
      }
    }
    expect(wrong).toEqual([]);
    expect(checked).toBe(procedures.length * roles.length);
  }, 120_000);
});

/** Subscriptions through a server-side caller with the same context an HTTP or WebSocket request gets. */
async function subscriptionCode(g: TestGateway, path: string, input: unknown, headers: Record<string, string>): Promise<string> {
  const ctx = await createAdminContext(g.gw, new Request(`${g.url}/trpc/${path}`, { headers }), '127.0.0.1');
  const caller = appRouter.createCaller(ctx) as unknown as Record<string, unknown>;
  const fn = path.split('.').reduce<any>((o, k) => o[k], caller) as (i: unknown) => Promise<unknown>;
  try {
    const it = (await fn(input)) as { return?: () => unknown } | undefined;
    await it?.return?.();
    return 'OK';
  } catch (e) {
    return (e as { code?: string }).code ?? 'THROWN';
  }
}
