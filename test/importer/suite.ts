// The same end-to-end checks against every source database kind.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { importOneApi, type ImportProgress, type ImportReport } from '../../server/importer/index.ts';
import { SecretBox } from '../../server/secrets/crypto.ts';
import { buildFixture, NOW, type Fixture } from './fixtures/data.ts';
import type { FixtureBuilder, FixtureDb } from './fixtures/build.ts';
import { EXPECTED_SKIPS, expectFullImport, FIRST_RUN_COUNTS, SECOND_RUN_COUNTS } from './expected.ts';
import { freshTarget, type Target } from './target.ts';

export const now = new Date(NOW * 1000);

export function expectNoSecrets(value: unknown, secrets: string[]) {
  const text = JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
  for (const s of secrets) if (s.length >= 6) expect(text.includes(s) ? s : null).toBeNull();
}

export function importSuite(label: string, build: FixtureBuilder) {
  describe(`One API import from ${label}`, () => {
    const box = new SecretBox('importer-test-master-secret');
    let fx: Fixture;
    let src: FixtureDb;
    let target: Target;
    let sourceBefore: string;

    const sourceState = async () =>
      JSON.stringify(
        await Promise.all(['users', 'tokens', 'channels', 'options', 'redemptions', 'logs'].map((t) => src.exec(`SELECT COUNT(*) AS n FROM ${t}`))),
        (_k, v) => (typeof v === 'bigint' ? v.toString() : v),
      );

    beforeAll(async () => {
      fx = await buildFixture();
      src = await build(fx.data);
      target = await freshTarget();
      // Switchboard already has its own root account, as after first start.
      await target.db.insertInto('users').values({ username: 'root', display_name: 'Root', role: 'root', password_hash: await Bun.password.hash('sb-root-pw') }).execute();
      sourceBefore = await sourceState();
    });
    afterAll(async () => {
      await target?.drop();
      await src?.drop();
    });

    test('dry run writes nothing and lists every skip with its reason', async () => {
      const before = await target.counts();
      const report = await importOneApi(target.db, box, { dsn: src.dsn, dryRun: true, logsDays: 7, now });
      expect(await target.counts()).toEqual(before);
      expect(report.dryRun).toBe(true);
      expect(report.counts).toEqual(FIRST_RUN_COUNTS);
      expect(report.skipped).toEqual(EXPECTED_SKIPS as typeof report.skipped);
      for (const s of EXPECTED_SKIPS) expect(report.preview).toContainEqual({ ...s, action: 'skip' } as never);
      expect(report.preview.filter((p) => p.action === 'create').length).toBe(2 + 4 + 6 + 14 + 12 + 2);
      expectNoSecrets(report, fx.secrets);
    });

    test('every DSN form reaches the same database', async () => {
      for (const dsn of src.altDsns) {
        const report = await importOneApi(target.db, box, { dsn, dryRun: true, logsDays: 7, now });
        expect(report.counts).toEqual(FIRST_RUN_COUNTS);
      }
    });

    let first: ImportReport;
    const events: ImportProgress[] = [];
    test('full import carries every field over', async () => {
      first = await importOneApi(target.db, box, { dsn: src.dsn, logsDays: 7, now, onProgress: (p) => events.push(p) });
      expect(first.dryRun).toBe(false);
      expect(first.counts).toEqual(FIRST_RUN_COUNTS);
      expect(first.quotaPerUnit).toBe('500000');
      expect(first.skipped).toEqual(EXPECTED_SKIPS as typeof first.skipped);
      expect(first.notes).toContainEqual('user #1 (root) is root in One API; Switchboard already has a root, so imported as admin');
      expect(first.notes).toContainEqual('user #1 (root) clashes with an existing Switchboard user, imported as "root-oneapi"');
      expect(first.notes).toContainEqual('channel #14 (future-vendor): priority 99999999999 is outside 32-bit range, clamped to 2147483647');
      expect(first.notes).toContainEqual('channel #2 (azure-east): balance 0.30000000000000004 USD has sub-nano digits, rounded half-up');
      expect(first.notes).toContainEqual('channel #13 (ollama-local) has no key in One API: imported with an empty key pool');
      await expectFullImport(target.db, box, fx, { nativeRoot: true });
      // Switchboard's own root is untouched.
      const root = await target.db.selectFrom('users').selectAll().where('username', '=', 'root').executeTakeFirstOrThrow();
      expect(root.role).toBe('root');
      expect(root.oneapi_id).toBeNull();
      expect(await Bun.password.verify('sb-root-pw', root.password_hash!)).toBe(true);
    });

    test('progress events cover every phase and end at done', () => {
      const phases = [...new Set(events.map((e) => e.phase))];
      expect(phases).toEqual(['connect', 'read', 'map', 'write:users', 'write:api_keys', 'write:channels', 'write:prices', 'write:redemption_codes', 'write:call_logs', 'done']);
      for (const e of events) expect(e.done).toBeLessThanOrEqual(e.total);
      expect(events.at(-1)).toEqual({ phase: 'done', done: 1, total: 1 });
      expectNoSecrets(events, fx.secrets);
    });

    test('report never contains a secret', () => {
      expectNoSecrets(first, fx.secrets);
    });

    test('a second run changes nothing', async () => {
      const before = await target.counts();
      const snapshot = await target.db.selectFrom('channels').selectAll().orderBy('id').execute();
      const keysBefore = await target.db.selectFrom('channel_keys').selectAll().orderBy('id').execute();
      const second = await importOneApi(target.db, box, { dsn: src.dsn, logsDays: 7, now });
      expect(second.counts).toEqual(SECOND_RUN_COUNTS);
      expect(second.preview.filter((p) => p.action !== 'skip')).toEqual([]);
      expect(await target.counts()).toEqual(before);
      expect(await target.db.selectFrom('channels').selectAll().orderBy('id').execute()).toEqual(snapshot);
      expect(await target.db.selectFrom('channel_keys').selectAll().orderBy('id').execute()).toEqual(keysBefore);
      await expectFullImport(target.db, box, fx, { nativeRoot: true });
    });

    test('the source was only read', async () => {
      expect(await sourceState()).toBe(sourceBefore);
    });
  });
}
