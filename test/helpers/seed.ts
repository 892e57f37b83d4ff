// Seed a gateway through its real admin API: an account with a balance, a mock channel,
// prices and a key.
import type { TestGateway } from './gateway.ts';

export interface Seeded {
  key: string;
  keyId: number;
  userId: number;
  channelId: number;
}

export async function seed(g: TestGateway, upstreamUrl: string, opts: { username?: string; balanceUsd?: string; models?: string[]; type?: number } = {}): Promise<Seeded> {
  const username = opts.username ?? `user${Math.random().toString(36).slice(2, 8)}`;
  const models = opts.models ?? ['gpt-4o-mini'];
  const { id: userId } = await g.admin.users.create.mutate({ username, balanceUsd: opts.balanceUsd ?? '10' });
  const { id: channelId } = await g.admin.channels.create.mutate({
    name: `mock-${username}`, type: opts.type ?? 1, baseUrl: upstreamUrl, key: 'sk-upstream-secret-1', models,
  });
  for (const model of models) await g.admin.prices.set.mutate({ model, inputUsdPerM: '0.15', outputUsdPerM: '0.6' });
  const { id: keyId, key } = await g.admin.keys.create.mutate({ name: 'test', user: username });
  return { key, keyId, userId, channelId };
}

/** Expected cost in nano-USD at $0.15/M input and $0.60/M output, rounded half up. */
export function expectedCost(prompt: number, completion: number): bigint {
  const n = BigInt(prompt) * 150_000_000n + BigInt(completion) * 600_000_000n;
  return (n + 500_000n) / 1_000_000n;
}
