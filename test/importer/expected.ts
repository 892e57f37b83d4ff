// What a full import of fixtures/data.ts must produce, written out by hand (not computed with the
// importer's own helpers) so a conversion bug cannot agree with itself.
import { expect } from 'bun:test';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { hashClientKey, hintOf, type SecretBox } from '../../server/secrets/crypto.ts';
import { DAY, NOW, type Fixture } from './fixtures/data.ts';

const at = (unix: number) => new Date(unix * 1000);

/** Each row cut down to the fields its expectation names, so columns the schema gains later
 * do not break the comparison while every field the importer sets is still checked. */
function expectRows(rows: object[], expected: Record<string, unknown>[]) {
  expect(rows.length).toBe(expected.length);
  const cut = rows.map((r, i) => Object.fromEntries(Object.keys(expected[i]!).map((k) => [k, (r as Record<string, unknown>)[k]])));
  expect(cut).toEqual(expected);
}

export async function expectFullImport(db: Kysely<Database>, box: SecretBox, fx: Fixture, opts: { nativeRoot: boolean }) {
  await expectUsers(db, fx, opts);
  const userIds = await idMap(db, 'users');
  await expectKeys(db, fx, userIds);
  await expectChannels(db, box, fx);
  await expectCatalog(db);
  await expectCodes(db, fx);
  await expectLogs(db, userIds);
}

async function idMap(db: Kysely<Database>, table: 'users' | 'api_keys' | 'channels'): Promise<Map<number, number>> {
  const rows = await db.selectFrom(table).select(['id', 'oneapi_id']).where('oneapi_id', 'is not', null).execute();
  return new Map(rows.map((r) => [r.oneapi_id as number, r.id]));
}

async function expectUsers(db: Kysely<Database>, fx: Fixture, opts: { nativeRoot: boolean }) {
  const users = await db.selectFrom('users').selectAll().where('oneapi_id', 'is not', null).orderBy('oneapi_id').execute();
  expectRows(users, [
    { username: opts.nativeRoot ? 'root-oneapi' : 'root', display_name: 'Root User', role: opts.nativeRoot ? 'admin' : 'root', status: 1, group_name: 'default', balance: 1_000_000_000_000n, used: 2_469_134_000n, unlimited: false, oneapi_id: 1, rpm: null, tpm: null },
    { username: 'alice', display_name: 'Alice', role: 'admin', status: 1, group_name: 'vip', balance: 2_000_000_000n, used: 500_000_000n, unlimited: false, oneapi_id: 2, rpm: null, tpm: null },
    { username: 'bob', display_name: 'Bob', role: 'user', status: 2, group_name: 'svip', balance: 2000n, used: 0n, unlimited: false, oneapi_id: 3, rpm: null, tpm: null },
    { username: 'carol', display_name: '', role: 'user', status: 1, group_name: 'default', balance: 0n, used: 6000n, unlimited: false, oneapi_id: 5, rpm: null, tpm: null },
  ]);
  // Old passwords keep working: the bcrypt hash came across untouched.
  const byId = new Map(users.map((u) => [u.oneapi_id, u]));
  for (const [oneapiId, name] of [[1, 'root'], [2, 'alice'], [3, 'bob']] as const) {
    const hash = byId.get(oneapiId)!.password_hash!;
    expect(hash).toBe(String(fx.data.users.find((u) => u.id === oneapiId)!.password));
    expect(await Bun.password.verify(fx.passwords[name]!, hash)).toBe(true);
    expect(await Bun.password.verify('wrong-password', hash)).toBe(false);
  }
  expect(byId.get(5)!.password_hash).toBeNull();

  // Ledger invariant: balance = Σ ledger, one `import` row per user.
  for (const u of users) {
    const rows = await db.selectFrom('ledger').selectAll().where('user_id', '=', u.id).execute();
    expect(rows.map((r) => ({ kind: r.kind, amount: r.amount, balance_after: r.balance_after, actor: r.actor }))).toEqual([
      { kind: 'import', amount: u.balance, balance_after: u.balance, actor: 'oneapi-import' },
    ]);
  }
}

async function expectKeys(db: Kysely<Database>, fx: Fixture, users: Map<number, number>) {
  const keys = await db.selectFrom('api_keys').selectAll().orderBy('oneapi_id').execute();
  const sk = (id: number) => `sk-${fx.tokenKeys[id]}`;
  const base = { period: null, period_budget: null, period_used: 0n, period_start: null, groups: null, rpm: null, tpm: null, created_at: at(NOW - 100 * DAY) };
  const expected = [
    { oneapi_id: 1, user: 1, name: 'root-default', status: 1, budget: null, used: 246_000n, expires_at: null, models: null, ip_allow: null, last_used_at: at(NOW - 60) },
    { oneapi_id: 2, user: 2, name: 'alice-prod', status: 1, budget: 1_000_000_000n, used: 200_000_000n, expires_at: at(1_893_456_000), models: ['gpt-4o', 'gpt-4o-mini'], ip_allow: ['10.0.0.0/8', '192.168.1.0/24'], last_used_at: null },
    { oneapi_id: 3, user: 2, name: 'alice-off', status: 2, budget: 10_000_000n, used: 0n, expires_at: null, models: null, ip_allow: null, last_used_at: null },
    { oneapi_id: 4, user: 3, name: 'bob-expired', status: 3, budget: 2_020_000n, used: 20_000n, expires_at: at(NOW - DAY), models: null, ip_allow: null, last_used_at: null },
    { oneapi_id: 5, user: 3, name: 'bob-exhausted', status: 4, budget: 2000n, used: 2000n, expires_at: null, models: null, ip_allow: null, last_used_at: null },
    { oneapi_id: 8, user: 5, name: 'carol-null', status: 1, budget: 5_000_000n, used: 0n, expires_at: null, models: null, ip_allow: null, last_used_at: null },
  ];
  expectRows(
    keys,
    expected.map(({ user, ...e }) => ({
      ...base,
      ...e,
      user_id: users.get(user)!,
      key_hash: hashClientKey(sk(e.oneapi_id)),
      key_hint: hintOf(sk(e.oneapi_id)),
    })),
  );
}

async function expectChannels(db: Kysely<Database>, box: SecretBox, fx: Fixture) {
  const channels = await db.selectFrom('channels').selectAll().orderBy('oneapi_id').execute();
  const base = {
    base_url: '',
    model_mapping: {},
    priority: 0,
    weight: 1,
    groups: ['default'],
    status: 1,
    status_reason: null,
    config: {},
    headers: {},
    param_override: {},
    system_prompt: null,
    balance: null,
    balance_updated_at: null,
    used: 0n,
    test_at: null,
    test_latency_ms: null,
    created_at: at(NOW - 200 * DAY),
  };
  const cfg6 = JSON.parse(String(fx.data.channels[5]!.config));
  const cfg12 = JSON.parse(String(fx.data.channels[11]!.config));
  const expected = [
    { oneapi_id: 1, name: 'openai-main', type: 1, models: ['gpt-4o', 'gpt-4o-mini', 'gpt-3.5-turbo'], groups: ['default', 'vip'], balance: 12_340_000_000n, balance_updated_at: at(NOW - 3600), used: 10_000_000_000n, test_at: at(NOW - 600), test_latency_ms: 850 },
    { oneapi_id: 2, name: 'azure-east', type: 3, status: 2, status_reason: 'disabled by hand in One API', base_url: 'https://east.openai.azure.com', priority: 10, models: ['gpt-4o'], config: { api_version: '2024-02-15-preview' }, balance: 300_000_000n, balance_updated_at: at(NOW - 7200) },
    { oneapi_id: 3, name: 'ernie', type: 15, status: 3, status_reason: 'auto-disabled by One API (the source did not record why)', model_mapping: { 'ERNIE-4.0': 'completions_pro' }, priority: 5, weight: 3, groups: ['svip'], models: ['ERNIE-4.0', 'ERNIE-3.5'], used: 246_000n, test_at: at(NOW - 100), test_latency_ms: 0 },
    { oneapi_id: 4, name: 'hunyuan', type: 23, models: ['hunyuan-lite'] },
    { oneapi_id: 5, name: 'glm', type: 16, models: ['glm-4'] },
    // AWS ak/sk move from config into the sealed key pool as `ak|sk|region` (what the bedrock provider reads).
    // One API's AWS adaptor sent Bedrock model ids (AwsModelIDMap); the mapping says so explicitly here.
    { oneapi_id: 6, name: 'bedrock', type: 33, models: ['claude-3-5-sonnet-20240620'], config: { region: cfg6.region }, model_mapping: { 'claude-3-5-sonnet-20240620': 'anthropic.claude-3-5-sonnet-20240620-v1:0' } },
    { oneapi_id: 7, name: 'gemini', type: 24, models: ['gemini-1.5-pro'], config: { api_version: 'v1' } },
    { oneapi_id: 8, name: 'spark', type: 18, models: ['SparkDesk-v3.5'], config: { api_version: 'v3.5' } },
    { oneapi_id: 9, name: 'library', type: 21, models: ['gpt-3.5-turbo'], config: { library_id: 'lib-123' } },
    { oneapi_id: 10, name: 'qwen', type: 17, models: ['qwen-turbo'], config: { plugin: 'ingestion' } },
    { oneapi_id: 11, name: 'openai-pool', type: 1, models: ['gpt-4o-mini'], groups: ['vip', 'default'] },
    // Vertex: the service-account JSON becomes the (sealed) key; the project id moves to project_id.
    { oneapi_id: 12, name: 'vertex', type: 42, models: ['gemini-1.5-pro'], system_prompt: 'You are a helpful assistant.', config: { region: cfg12.region, project_id: cfg12.vertex_ai_project_id } },
    { oneapi_id: 13, name: 'ollama-local', type: 30, models: ['llama3'], base_url: 'http://127.0.0.1:11434' },
    { oneapi_id: 14, name: 'future-vendor', type: 999, models: [], priority: 2_147_483_647, weight: 7 },
  ];
  expectRows(channels, expected.map((e) => ({ ...base, ...e })));

  // Each key sealed in its own row, composite keys whole, the multi-key field split per line.
  const pools = new Map<number, string[]>();
  for (const c of channels) {
    const rows = await db.selectFrom('channel_keys').selectAll().where('channel_id', '=', c.id).orderBy('position').execute();
    for (const [i, r] of rows.entries()) {
      expect(r.position).toBe(i);
      expect(r.status).toBe(1);
      expect(r.key_hint).toBe(hintOf(box.open(r.key_enc)));
      expect(r.key_enc).not.toContain(box.open(r.key_enc));
    }
    pools.set(c.oneapi_id!, rows.map((r) => box.open(r.key_enc)));
  }
  const k = fx.channelKeys;
  expect(pools.get(3)).toEqual([k[3]!]);
  expect(pools.get(3)![0]).toContain('|');
  expect(pools.get(4)).toEqual([k[4]!]);
  expect(pools.get(4)![0]!.split('|')).toHaveLength(3);
  expect(pools.get(5)).toEqual([k[5]!]);
  expect(pools.get(6)).toEqual([`${cfg6.ak}|${cfg6.sk}|${cfg6.region}`]);
  expect(pools.get(11)).toEqual(k[11]!.split(/\r?\n/).map((s) => s.trim()).filter(Boolean));
  expect(pools.get(11)).toHaveLength(3);
  expect(pools.get(13)).toEqual([]);
  expect(pools.get(12)).toEqual([cfg12.vertex_ai_adc]);
  for (const id of [1, 2, 7, 8, 9, 10, 14]) expect(pools.get(id)).toEqual([k[id]!]);
}

async function expectCatalog(db: Kysely<Database>) {
  const prices = await db.selectFrom('prices').select(['model', 'input', 'output', 'source', 'cache_read', 'per_request', 'extra']).orderBy('model').execute();
  const p = (model: string, input: bigint, output: bigint) => ({ model, input, output, source: 'oneapi', cache_read: null, per_request: null, extra: {} });
  // What One API charged for every model an imported channel serves (relay/billing/ratio/model.go
  // at ONEAPI_RATIO_COMMIT): options first, then the built-in tables, the completion-ratio rules,
  // and ratio 30 for models no table knows. Ratio 1 = $2 per 1M tokens.
  expectRows(prices, [
    p('ERNIE-3.5', 60_000_000_000n, 60_000_000_000n), // unknown: ratio 30
    p('ERNIE-4.0', 60_000_000_000n, 60_000_000_000n), // mapped to completions_pro, which One API billed at ratio 30
    p('SparkDesk-v3.5', 2_571_600_000n, 2_571_600_000n), // built-in 1.2858
    p('claude-3-5-sonnet-20240620', 3_000_000_000n, 15_000_000_000n), // built-in 3.0/1000*USD = 1.5, claude-3* ×5
    p('gemini-1.5-pro', 1_250_000_000n, 3_750_000_000n), // built-in 1.25*MILLI_USD, gemini-* ×3
    p('glm-4', 200n, 200n), // option 1e-07
    p('gpt-3.5-turbo', 500_000_000n, 1_500_000_000n), // built-in 0.25, rule ×3
    p('gpt-4o', 5_000_000_000n, 20_000_000_000n), // option 2.5 × option 4
    p('gpt-4o-mini', 150_000_000n, 600_000_000n),
    p('hunyuan-lite', 60_000_000_000n, 60_000_000_000n), // unknown: ratio 30
    p('llama3', 60_000_000_000n, 60_000_000_000n), // unknown: ratio 30
    p('qwen-turbo', 42_600_000n, 42_600_000n), // built-in 0.0003*RMB, RMB = 500/7 = 71 in Go's integer constants
  ]);
  const groups = await db.selectFrom('groups').select(['name', 'multiplier_ppm']).orderBy('name').execute();
  expectRows(groups, [
    { name: 'default', multiplier_ppm: 1_000_000 },
    { name: 'svip', multiplier_ppm: 500_000 },
    { name: 'vip', multiplier_ppm: 800_000 },
  ]);
}

async function expectCodes(db: Kysely<Database>, fx: Fixture) {
  const codes = await db.selectFrom('redemption_codes').selectAll().orderBy('oneapi_id').execute();
  expectRows(codes, [
    { oneapi_id: 1, name: 'welcome-10', code_hash: hashClientKey(fx.codes[1]!), code_hint: hintOf(fx.codes[1]!), amount: 10_000_000_000n, status: 1, created_by: 'oneapi-import', created_at: at(NOW - 10 * DAY), redeemed_at: null, redeemed_by: null },
    { oneapi_id: 3, name: 'disabled-1', code_hash: hashClientKey(fx.codes[3]!), code_hint: hintOf(fx.codes[3]!), amount: 1_000_000_000n, status: 2, created_by: 'oneapi-import', created_at: at(NOW - 9 * DAY), redeemed_at: null, redeemed_by: null },
  ]);
}

async function expectLogs(db: Kysely<Database>, users: Map<number, number>) {
  const keys = await idMap(db, 'api_keys');
  const channels = await idMap(db, 'channels');
  const logs = await db.selectFrom('call_logs').selectAll().orderBy('request_id').execute();
  const base = { attempts: [], endpoint: 'chat/completions', upstream_model: null, status: 200, error_type: null, error_message: null, cached_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 0, ttft_ms: null, client_ip: null, user_agent: null, estimated: false };
  expectRows(logs, [
    { ...base, request_id: 'oneapi-log-1', created_at: at(NOW - DAY), user_id: users.get(2)!, key_id: keys.get(2)!, channel_id: channels.get(1)!, model: 'gpt-4o', stream: true, prompt_tokens: 1000, completion_tokens: 500, cost: 60_000_000n, latency_ms: 1234 },
    { ...base, request_id: 'oneapi-log-2', created_at: at(NOW - 2 * DAY), user_id: users.get(3)!, key_id: keys.get(4)!, channel_id: channels.get(3)!, model: 'ERNIE-4.0', stream: false, prompt_tokens: 80, completion_tokens: 20, cost: 300_000n, latency_ms: 400 },
    { ...base, request_id: 'oneapi-log-3', created_at: at(NOW - 3600), user_id: null, key_id: null, channel_id: null, model: 'gpt-4o-mini', stream: false, prompt_tokens: 10, completion_tokens: 2, cost: 14_000n, latency_ms: 90 },
  ]);
}

/** The skips of a full import of the standard fixture, each with its reason. */
export const EXPECTED_SKIPS = [
  { table: 'prices', oneapiId: 'bad-model', label: 'bad-model', reason: 'model ratio -1 is not a non-negative number' },
  { table: 'users', oneapiId: 4, label: 'deleted_8f14e45f-ceea-467a', reason: 'deleted in One API (status 3)' },
  { table: 'api_keys', oneapiId: 6, label: 'ghost', reason: 'owner user #4 was skipped: deleted in One API (status 3)' },
  { table: 'api_keys', oneapiId: 7, label: 'orphan', reason: 'owner user #99 does not exist in One API' },
  { table: 'redemption_codes', oneapiId: 2, label: 'used-5', reason: 'already redeemed in One API (status 3)' },
  { table: 'redemption_codes', oneapiId: 4, label: 'zero', reason: 'worth nothing (quota ≤ 0)' },
];

export const FIRST_RUN_COUNTS = {
  groups: { created: 2, updated: 0, unchanged: 1, skipped: 0 },
  users: { created: 4, updated: 0, unchanged: 0, skipped: 1 },
  ledger: { created: 4, updated: 0, unchanged: 0, skipped: 0 },
  api_keys: { created: 6, updated: 0, unchanged: 0, skipped: 2 },
  channels: { created: 14, updated: 0, unchanged: 0, skipped: 0 },
  channel_keys: { created: 15, updated: 0, unchanged: 0, skipped: 0 },
  prices: { created: 12, updated: 0, unchanged: 0, skipped: 1 },
  channel_prices: { created: 0, updated: 0, unchanged: 0, skipped: 0 },
  redemption_codes: { created: 2, updated: 0, unchanged: 0, skipped: 2 },
  call_logs: { created: 3, updated: 0, unchanged: 0, skipped: 0 },
};

export const SECOND_RUN_COUNTS = {
  groups: { created: 0, updated: 0, unchanged: 3, skipped: 0 },
  users: { created: 0, updated: 0, unchanged: 4, skipped: 1 },
  ledger: { created: 0, updated: 0, unchanged: 0, skipped: 0 },
  api_keys: { created: 0, updated: 0, unchanged: 6, skipped: 2 },
  channels: { created: 0, updated: 0, unchanged: 14, skipped: 0 },
  channel_keys: { created: 0, updated: 0, unchanged: 15, skipped: 0 },
  prices: { created: 0, updated: 0, unchanged: 12, skipped: 1 },
  channel_prices: { created: 0, updated: 0, unchanged: 0, skipped: 0 },
  redemption_codes: { created: 0, updated: 0, unchanged: 2, skipped: 2 },
  call_logs: { created: 0, updated: 0, unchanged: 3, skipped: 0 },
};
