// Who is signed in. `auth.me` answers for the session cookie; UNAUTHORIZED means signed out.
import { createResource } from 'solid-js';
import { api } from './api/client.ts';
import { isUnauthorized } from './api/errors.ts';

export type Role = 'root' | 'admin' | 'user';

export type Me = Awaited<ReturnType<typeof api.auth.me.query>>;

async function fetchMe(): Promise<Me | null> {
  try {
    return await api.auth.me.query();
  } catch (e) {
    if (isUnauthorized(e)) return null;
    throw e;
  }
}

const [me, { refetch, mutate }] = createResource(fetchMe);
export { me, refetch as refetchMe };

export const isAdmin = () => me()?.role === 'admin' || me()?.role === 'root';

export async function signIn(username: string, password: string): Promise<void> {
  await api.auth.login.mutate({ username, password });
  await refetch();
}

export async function signOut(): Promise<void> {
  await api.auth.logout.mutate().catch(() => {});
  mutate(null);
}

/** Keep the shown balance current (live events and refreshes). */
export function setMyBalance(balance: bigint): void {
  const m = me();
  if (m && m.kind !== 'admin-key' && m.balance !== balance) mutate({ ...m, balance });
}
