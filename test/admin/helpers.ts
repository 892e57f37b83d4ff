// Accounts for the admin API tests: users with passwords, signed-in browsers (a cookie jar
// around fetch) and personal-access-token clients, all through the real HTTP API.
import superjson from 'superjson';
import { createSwitchboardClient, type FetchLike, type SwitchboardClient } from '../../client/index.ts';
import type { TestGateway } from '../helpers/gateway.ts';

export const PASSWORD = 'correct horse battery';

/** A browser: remembers the session cookie the server sets and sends it back. */
export class Browser {
  cookie = '';
  lastSetCookie: string[] = [];
  readonly client: SwitchboardClient;

  constructor(readonly url: string, readonly headers: Record<string, string> = {}) {
    this.client = createSwitchboardClient({ url, fetch: this.fetch });
  }

  fetch: FetchLike = async (input, init) => {
    const headers = new Headers(init?.headers as HeadersInit | undefined);
    for (const [k, val] of Object.entries(this.headers)) headers.set(k, val);
    if (this.cookie) headers.set('cookie', this.cookie);
    const res = await fetch(input as string, { ...(init as RequestInit), headers });
    this.lastSetCookie = res.headers.getSetCookie();
    for (const c of this.lastSetCookie) {
      const m = /^sb_session=([^;]*)/.exec(c);
      if (m) this.cookie = m[1] ? `sb_session=${m[1]}` : '';
    }
    return res;
  };

  async login(username: string, password = PASSWORD) {
    return this.client.auth.login.mutate({ username, password });
  }
}

export async function createAccount(g: TestGateway, username: string, role: 'user' | 'admin' = 'user', balanceUsd = '5') {
  const { id } = await g.admin.users.create.mutate({ username, password: PASSWORD, role, balanceUsd });
  return id;
}

/** Sign in and mint a personal access token; returns a client using it. */
export async function patClient(g: TestGateway, username: string, password = PASSWORD) {
  const b = new Browser(g.url);
  await b.login(username, password);
  const t = await b.client.tokens.create.mutate({ name: `${username}-script` });
  return { client: createSwitchboardClient({ url: g.url, token: t.token }), token: t.token, tokenId: t.id };
}

/** The tRPC error code of a rejected call (or 'OK'). */
export async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'OK';
  } catch (e) {
    return (e as { data?: { code?: string } }).data?.code ?? `THROWN: ${(e as Error).message}`;
  }
}

/** Call any procedure over raw HTTP (the matrix needs paths the typed client cannot name statically). */
export async function rawCall(url: string, path: string, type: 'query' | 'mutation', input: unknown, headers: Record<string, string>) {
  const encoded = input === undefined ? undefined : JSON.stringify(superjson.serialize(input));
  const res = type === 'query'
    ? await fetch(`${url}/trpc/${path}${encoded ? `?input=${encodeURIComponent(encoded)}` : ''}`, { headers })
    : await fetch(`${url}/trpc/${path}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: encoded ?? '' });
  const body = (await res.json().catch(() => null)) as { error?: { json?: { data?: { code?: string } } } } | null;
  return { status: res.status, code: body?.error?.json?.data?.code ?? (res.ok ? 'OK' : `HTTP ${res.status}`) };
}
