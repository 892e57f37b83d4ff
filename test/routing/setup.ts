// Shared setup for the routing tests: an account with a key, priced models, and channels
// pointing at fault-injecting upstreams, all through the real admin API.
import type { TestGateway } from '../helpers/gateway.ts';

export async function account(g: TestGateway, opts: { role?: 'user' | 'admin'; balanceUsd?: string } = {}) {
  const username = `rt${Math.random().toString(36).slice(2, 9)}`;
  const { id: userId } = await g.admin.users.create.mutate({ username, balanceUsd: opts.balanceUsd ?? '100', role: opts.role ?? 'user' });
  const { key } = await g.admin.keys.create.mutate({ name: 'routing', user: username });
  return { userId, key };
}

export async function price(g: TestGateway, ...models: string[]) {
  for (const model of models) await g.admin.prices.set.mutate({ model, inputUsdPerM: '0.15', outputUsdPerM: '0.6' });
}

export async function channel(g: TestGateway, baseUrl: string, models: string[], opts: { keys?: string[]; priority?: number; weight?: number; name?: string; type?: number } = {}) {
  const { id } = await g.admin.channels.create.mutate({
    name: opts.name ?? `ch-${Math.random().toString(36).slice(2, 7)}`, type: opts.type ?? 1, baseUrl,
    key: (opts.keys ?? ['sk-upstream-a']).join('\n'), models, priority: opts.priority ?? 0, weight: opts.weight ?? 1,
  });
  return id;
}

export function chatVia(g: TestGateway, key: string) {
  return (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    fetch(`${g.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }], ...body }),
    });
}

export async function until(cond: () => boolean | Promise<boolean>, ms = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`${what} not met within ${ms} ms`);
    await Bun.sleep(20);
  }
}

export const logOf = async (g: TestGateway, requestId: string) => {
  await g.flush();
  return g.gw.db.db.selectFrom('call_logs').selectAll().where('request_id', '=', requestId).executeTakeFirstOrThrow();
};
