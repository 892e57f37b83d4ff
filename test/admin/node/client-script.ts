// Bundled with `bun build --target=node` and run by `node` in node-client.test.ts: the typed
// client as an integrator would use it from a Node process. Prints one JSON line.
import { createSwitchboardClient } from '../../../client/index.ts';

const [url, token] = process.argv.slice(2) as [string, string];
const sb = createSwitchboardClient({ url, token });

const me = await sb.auth.me.query();
const created = await sb.keys.create.mutate({ name: 'from-node', budgetUsd: '1.5', models: 'gpt-4o-mini' });
const key = await sb.keys.get.query({ id: created.id });
let denied = '';
try {
  await sb.users.list.query();
} catch (e) {
  denied = (e as { data?: { code?: string } }).data?.code ?? 'no code';
}
const invalid = await sb.keys.create.mutate({ name: '' }).catch((e: { data?: { fields?: unknown } }) => e.data?.fields);

process.stdout.write(JSON.stringify({
  runtime: typeof (globalThis as { Bun?: unknown }).Bun === 'undefined' ? `node ${process.version}` : 'bun',
  me: { kind: me.kind, username: me.username, role: me.role },
  keyPrefix: created.key.slice(0, 3),
  // superjson carried a bigint and a Date across.
  budgetIsBigint: typeof key.budget === 'bigint',
  budget: String(key.budget),
  createdAtIsDate: key.created_at instanceof Date,
  denied,
  invalid,
}) + '\n');
