// Edge cases on SQLite (fast to build): old schemas, odd QuotaPerUnit, failures, changed sources.
import { Database } from 'bun:sqlite';
import { afterEach, describe, expect, test } from 'bun:test';
import { sql } from 'kysely';
import { importOneApi, OneApiImportError } from '../../server/importer/index.ts';
import { SecretBox } from '../../server/secrets/crypto.ts';
import { buildSqliteFixture, type FixtureDb } from './fixtures/build.ts';
import { buildFixture, DAY, NOW } from './fixtures/data.ts';
import { OLD_SCHEMA } from './fixtures/schema.ts';
import { expectFullImport } from './expected.ts';
import { expectNoSecrets, now } from './suite.ts';
import { freshTarget, type Target } from './target.ts';

const box = new SecretBox('importer-variants-secret');
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function setup(opts: { quotaPerUnit?: string | null; old?: boolean } = {}) {
  const fx = await buildFixture({ quotaPerUnit: opts.quotaPerUnit });
  const src: FixtureDb = await buildSqliteFixture(fx.data, opts.old ? OLD_SCHEMA : {});
  const target: Target = await freshTarget();
  cleanup.push(() => src.drop(), () => target.drop());
  return { fx, src, target };
}

async function ledgerMatchesBalances(target: Target) {
  const users = await target.db.selectFrom('users').select(['id', 'balance']).execute();
  for (const u of users) {
    const rows = await target.db.selectFrom('ledger').select('amount').where('user_id', '=', u.id).execute();
    expect(rows.reduce((sum, r) => sum + r.amount, 0n)).toBe(u.balance);
  }
}

describe('One API import edge cases', () => {
  test('an empty Switchboard gets One API root as its root, under the same username', async () => {
    const { fx, src, target } = await setup();
    const report = await importOneApi(target.db, box, { dsn: src.dsn, logsDays: 7, now });
    await expectFullImport(target.db, box, fx, { nativeRoot: false });
    expect(report.notes.some((n) => n.includes('imported as admin'))).toBe(false);
    const again = await importOneApi(target.db, box, { dsn: src.dsn, logsDays: 7, now });
    expect(again.counts.users).toEqual({ created: 0, updated: 0, unchanged: 4, skipped: 1 });
  });

  test('an old schema with missing and extra columns imports with defaults', async () => {
    const { src, target } = await setup({ old: true });
    const report = await importOneApi(target.db, box, { dsn: src.dsn, logsDays: 7, now });
    expect(report.counts.channels.created).toBe(14);
    expect(report.counts.api_keys.created).toBe(6);
    const ch = async (id: number) => target.db.selectFrom('channels').selectAll().where('oneapi_id', '=', id).executeTakeFirstOrThrow();
    // No priority column: 0. No config column: `other` alone fills it. No system_prompt: null.
    expect((await ch(2)).priority).toBe(0);
    expect((await ch(2)).config).toEqual({ api_version: '2024-02-15-preview' });
    expect((await ch(6)).config).toEqual({});
    expect((await ch(12)).system_prompt).toBeNull();
    // other_info (New API) carries why the channel was auto-disabled.
    expect((await ch(3)).status).toBe(3);
    expect((await ch(3)).status_reason).toBe('insufficient_quota: You exceeded your current quota');
    const key = await target.db.selectFrom('api_keys').selectAll().where('oneapi_id', '=', 2).executeTakeFirstOrThrow();
    expect(key.models).toBeNull();
    expect(key.ip_allow).toBeNull();
    expect(key.budget).toBe(1_000_000_000n);
    const again = await importOneApi(target.db, box, { dsn: src.dsn, logsDays: 7, now });
    expect(Object.values(again.counts).every((c) => c.created === 0 && c.updated === 0)).toBe(true);
  });

  test('a QuotaPerUnit that does not divide $1 rounds half-up and records every rounding', async () => {
    const { src, target } = await setup({ quotaPerUnit: '300000' });
    const report = await importOneApi(target.db, box, { dsn: src.dsn, now });
    expect(report.quotaPerUnit).toBe('300000');
    const user = async (id: number) => target.db.selectFrom('users').selectAll().where('oneapi_id', '=', id).executeTakeFirstOrThrow();
    expect((await user(1)).balance).toBe(1_666_666_666_667n); // 500 000 000 × 1e9 / 300 000 = …666.67
    expect((await user(3)).balance).toBe(3333n); // 1 quota = 3333.33 nano
    expect((await user(2)).balance).toBe(3_333_333_333n); // 1 000 000 quota = …333.33
    expect(report.notes).toContain('user #3 (bob) quota: 1 quota is not a whole number of nano-USD, rounded half-up to 3333');
    expect(report.notes).toContain('user #1 (root) quota: 500000000 quota is not a whole number of nano-USD, rounded half-up to 1666666666667');
    await ledgerMatchesBalances(target);
  });

  test('without a QuotaPerUnit option the One API default 500 000 applies', async () => {
    const { src, target } = await setup({ quotaPerUnit: null });
    const report = await importOneApi(target.db, box, { dsn: src.dsn, now });
    expect(report.quotaPerUnit).toBe('500000');
    const u = await target.db.selectFrom('users').selectAll().where('oneapi_id', '=', 2).executeTakeFirstOrThrow();
    expect(u.balance).toBe(2_000_000_000n);
    expect(report.counts.call_logs.created).toBe(0); // logsDays not given: no history
  });

  test('a quota that overflows int8 stops the import before any write, naming its row', async () => {
    const { fx, target } = await setup();
    // A corrupt quota: converted to nano-USD it overflows int8.
    fx.data.users.push({ ...fx.data.users[1]!, id: 6, username: 'overflow', access_token: 'x'.repeat(32), aff_code: 'OVFL', quota: '9000000000000000' });
    const src = await buildSqliteFixture(fx.data);
    cleanup.push(() => src.drop());
    const before = await target.counts();
    const err = await importOneApi(target.db, box, { dsn: src.dsn, logsDays: 7, now }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OneApiImportError);
    expect((err as OneApiImportError).phase).toBe('map');
    expect((err as Error).message).toContain('user #6 (overflow) quota: 9000000000000000 quota is 18000000000000000000 nano-USD');
    expect(await target.counts()).toEqual(before);
    expectNoSecrets((err as Error).message, fx.secrets);
  });

  test('a failure in a late phase rolls back users and keys written before it', async () => {
    const { fx, src, target } = await setup();
    // Fail on the 13th channel, after groups, users, ledger, keys and twelve channels were written.
    await sql`CREATE FUNCTION poison() RETURNS trigger AS $$ BEGIN IF NEW.name = 'ollama-local' THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`.execute(target.db);
    await sql`CREATE TRIGGER poison BEFORE INSERT ON channels FOR EACH ROW EXECUTE FUNCTION poison()`.execute(target.db);
    const before = await target.counts();
    const events: string[] = [];
    const err = await importOneApi(target.db, box, { dsn: src.dsn, logsDays: 7, now, onProgress: (p) => events.push(p.phase) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OneApiImportError);
    expect((err as Error).message).toContain('injected failure');
    expect(events).toContain('write:channels');
    expect(await target.counts()).toEqual(before);
    expectNoSecrets((err as Error).message, fx.secrets);
  });

  test('a re-run after One API changed updates exactly what changed', async () => {
    const { fx, src, target } = await setup();
    await importOneApi(target.db, box, { dsn: src.dsn, logsDays: 7, now });
    const keyRowsBefore = await target.db.selectFrom('channel_keys').selectAll().execute();

    const rw = new Database(src.dsn);
    rw.run('UPDATE users SET quota = 600000, used_quota = 650000 WHERE id = 2');
    rw.run("UPDATE channels SET name = 'azure-east-2' WHERE id = 2");
    rw.run('UPDATE channels SET key = ? WHERE id = 1', ['sk-rotated-key-0123456789abcdefghijklmnopqrstuv']);
    rw.run('UPDATE tokens SET status = 2 WHERE id = 2');
    rw.run(`INSERT INTO logs (id, user_id, created_at, type, token_name, model_name, quota, prompt_tokens, completion_tokens, channel_id) VALUES (6, 2, ${NOW - DAY}, 2, 'alice-prod', 'gpt-4o', 10, 1, 1, 1)`);
    rw.close();
    fx.secrets.push('sk-rotated-key-0123456789abcdefghijklmnopqrstuv');

    const report = await importOneApi(target.db, box, { dsn: src.dsn, logsDays: 7, now });
    expect(report.counts.users).toEqual({ created: 0, updated: 1, unchanged: 3, skipped: 1 });
    expect(report.counts.ledger).toEqual({ created: 1, updated: 0, unchanged: 0, skipped: 0 });
    expect(report.counts.channels).toEqual({ created: 0, updated: 2, unchanged: 12, skipped: 0 });
    expect(report.counts.channel_keys).toEqual({ created: 1, updated: 0, unchanged: 14, skipped: 0 });
    expect(report.counts.api_keys).toEqual({ created: 0, updated: 1, unchanged: 5, skipped: 2 });
    expect(report.counts.call_logs).toEqual({ created: 1, updated: 0, unchanged: 3, skipped: 0 });
    expect(report.preview.filter((p) => p.action === 'update')).toEqual([
      { table: 'users', action: 'update', oneapiId: 2, label: 'alice', changes: ['balance', 'used'], values: [{ field: 'balance', old: '$2', new: '$1.2' }] },
      { table: 'api_keys', action: 'update', oneapiId: 2, label: 'alice-prod', changes: ['status'] },
      { table: 'channels', action: 'update', oneapiId: 1, label: 'openai-main', changes: ['keys'] },
      { table: 'channels', action: 'update', oneapiId: 2, label: 'azure-east-2', changes: ['name'] },
    ]);
    expectNoSecrets(report, fx.secrets);

    const alice = await target.db.selectFrom('users').selectAll().where('oneapi_id', '=', 2).executeTakeFirstOrThrow();
    expect(alice.balance).toBe(1_200_000_000n);
    const ledger = await target.db.selectFrom('ledger').selectAll().where('user_id', '=', alice.id).orderBy('id').execute();
    expect(ledger.map((l) => [l.amount, l.balance_after])).toEqual([[2_000_000_000n, 2_000_000_000n], [-800_000_000n, 1_200_000_000n]]);
    await ledgerMatchesBalances(target);

    // Only channel 1's pool was replaced; every other key row kept its id.
    const ch1 = await target.db.selectFrom('channels').select('id').where('oneapi_id', '=', 1).executeTakeFirstOrThrow();
    const pool = await target.db.selectFrom('channel_keys').selectAll().where('channel_id', '=', ch1.id).execute();
    expect(pool.map((k) => box.open(k.key_enc))).toEqual(['sk-rotated-key-0123456789abcdefghijklmnopqrstuv']);
    const after = await target.db.selectFrom('channel_keys').select('id').where('channel_id', '!=', ch1.id).execute();
    expect(after.map((k) => k.id).sort()).toEqual(keyRowsBefore.filter((k) => k.channel_id !== ch1.id).map((k) => k.id).sort());
  });

  test('a code already redeemed in Switchboard is never reset to unused by a re-run', async () => {
    const { src, target } = await setup();
    await importOneApi(target.db, box, { dsn: src.dsn, now });
    await target.db.updateTable('redemption_codes').set({ status: 3, redeemed_at: new Date() }).where('oneapi_id', '=', 1).execute();
    const report = await importOneApi(target.db, box, { dsn: src.dsn, now });
    expect(report.counts.redemption_codes).toEqual({ created: 0, updated: 0, unchanged: 2, skipped: 2 });
    const code = await target.db.selectFrom('redemption_codes').selectAll().where('oneapi_id', '=', 1).executeTakeFirstOrThrow();
    expect(code.status).toBe(3);
  });

  test('an unreadable source fails before touching the target, without leaking the password', async () => {
    const target = await freshTarget();
    cleanup.push(() => target.drop());
    const before = await target.counts();
    const missing = await importOneApi(target.db, box, { dsn: '/nonexistent/one-api.db' }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(OneApiImportError);
    expect((missing as OneApiImportError).phase).toBe('source');
    const denied = await importOneApi(target.db, box, { dsn: 'nobody:Sup3rS3cretPw@tcp(127.0.0.1:3306)/oneapi' }).catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(OneApiImportError);
    expect((denied as Error).message).not.toContain('Sup3rS3cretPw');
    const bad = await importOneApi(target.db, box, { dsn: 'redis://x' }).catch((e: unknown) => e);
    expect((bad as OneApiImportError).phase).toBe('dsn');
    expect(await target.counts()).toEqual(before);
  });
});
