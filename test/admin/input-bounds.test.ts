// Admin inputs the database cannot hold: integers past their column's range, amounts past
// int8, NUL characters and lone surrogates. Each is a clean tRPC BAD_REQUEST (400) naming the
// field, or is stored sanitised; never a 500, never an error-level log line, and every
// mutation still leaves its audit row.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import superjson from 'superjson';
import { maskSecrets } from '../../server/auth/mask.ts';
import { ADMIN_KEY, DB_KINDS, startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { createAccount } from './helpers.ts';

describe.each(DB_KINDS)('admin input bounds on %s', (kind) => {
  let g: TestGateway;
  let channelId: number;
  let userId: number;
  const errorLogs: string[] = [];

  beforeAll(async () => {
    g = await startTestGateway(kind);
    // Everything logged at error level while these tests run (the logger object is shared).
    const log = g.gw.log as { error: (msg: string, fields?: Record<string, unknown>) => void };
    const original = log.error;
    log.error = (msg, fields) => {
      errorLogs.push(`${msg} ${JSON.stringify(fields, (_k, v) => (typeof v === 'bigint' ? v.toString() : v instanceof Error ? v.message : v))}`);
      original(msg, fields);
    };
    ({ id: channelId } = await g.admin.channels.create.mutate({ name: 'bounded', type: 1, baseUrl: 'http://127.0.0.1:9', key: 'sk-bounds-0123456789abcdef', models: ['m1'], priority: 3 }));
    userId = await createAccount(g, 'bounded_user');
  }, 60_000);
  afterAll(() => g?.close());

  const INT4_OVER = 2 ** 31;

  interface TrpcAnswer {
    status: number;
    code: string;
    message: string;
    fields: Record<string, string> | undefined;
  }

  /** One procedure call over raw HTTP; `body` may be raw JSON text (number literals JSON.stringify cannot make). */
  async function call(path: string, type: 'query' | 'mutation', input: unknown, rawBody?: string): Promise<TrpcAnswer> {
    const headers = { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' };
    const encoded = JSON.stringify(superjson.serialize(input));
    const res = type === 'query'
      ? await fetch(`${g.url}/trpc/${path}?input=${encodeURIComponent(encoded)}`, { headers })
      : await fetch(`${g.url}/trpc/${path}`, { method: 'POST', headers, body: rawBody ?? encoded });
    const body = (await res.json()) as { error?: { json?: { message: string; data: { code: string; fields?: Record<string, string> } } } };
    const e = body.error?.json;
    return { status: res.status, code: e?.data.code ?? 'OK', message: e?.message ?? '', fields: e?.data.fields };
  }

  const auditRows = (action: string) => g.gw.db.db.selectFrom('audit_log').selectAll().where('action', '=', action).orderBy('id').execute();

  describe('integers past their column range', () => {
    test('channels.update with priority 2^31 is BAD_REQUEST on the field, and nothing changes', async () => {
      const r = await call('channels.update', 'mutation', { id: channelId, priority: INT4_OVER });
      expect(r).toMatchObject({ status: 400, code: 'BAD_REQUEST' });
      expect(r.fields?.priority).toContain('2147483647');
      const row = await g.gw.db.db.selectFrom('channels').select('priority').where('id', '=', channelId).executeTakeFirstOrThrow();
      expect(row.priority).toBe(3);
    });

    test('a 30-digit integer literal and ids past int4 are BAD_REQUEST', async () => {
      const literal = await call('channels.update', 'mutation', null, `{"json":{"id":${channelId},"weight":123456789012345678901234567890}}`);
      expect(literal).toMatchObject({ status: 400, code: 'BAD_REQUEST' });
      expect(literal.fields?.weight).toBeDefined();
      for (const [path, type, input, field] of [
        ['channels.update', 'mutation', { id: INT4_OVER, name: 'x' }, 'id'],
        ['channels.update', 'mutation', { id: channelId, type: INT4_OVER }, 'type'],
        ['channels.update', 'mutation', { id: channelId, removeKeyIds: [INT4_OVER] }, 'removeKeyIds.0'],
        ['channels.batch', 'mutation', { action: 'priority', ids: [channelId], value: -INT4_OVER - 1 }, 'value'],
        ['channels.setStatus', 'mutation', { id: INT4_OVER, enabled: true }, 'id'],
        ['users.update', 'mutation', { id: userId, rpm: INT4_OVER }, 'rpm'],
        ['users.get', 'query', { id: INT4_OVER }, 'id'],
        ['keys.list', 'query', { offset: 1e30 }, 'offset'],
        ['prices.channel.set', 'mutation', { channelId: INT4_OVER, model: 'm1', inputUsdPerM: '1', outputUsdPerM: '1' }, 'channelId'],
        ['prices.set', 'mutation', { model: 'm1', inputUsdPerM: '1', outputUsdPerM: '1', extra: { defaultMaxTokens: INT4_OVER } }, 'extra.defaultMaxTokens'],
        ['audit.list', 'query', { actorUserId: INT4_OVER }, 'actorUserId'],
        ['audit.list', 'query', { before: '99999999999999999999' }, 'before'],
        ['billing.ledger', 'query', { before: '9223372036854775808' }, 'before'],
        ['logs.get', 'query', { id: '99999999999999999999' }, 'id'],
        ['logs.list', 'query', { channelId: INT4_OVER }, 'channelId'],
        ['logs.list', 'query', { cursor: `${'9'.repeat(30)}.1` }, 'cursor'],
        ['stats.usage', 'query', { keyId: INT4_OVER }, 'keyId'],
      ] as const) {
        const r = await call(path, type, input);
        expect({ path, field, code: r.code, status: r.status }).toEqual({ path, field, code: 'BAD_REQUEST', status: 400 });
        expect({ path, field, message: r.fields?.[field] === undefined ? 'missing' : 'present' }).toEqual({ path, field, message: 'present' });
      }
    });

    test('USD amounts past int8 nano-USD are BAD_REQUEST', async () => {
      const create = await call('users.create', 'mutation', { username: 'too_rich', balanceUsd: '18446744073709551616' });
      expect(create).toMatchObject({ status: 400, code: 'BAD_REQUEST' });
      expect(create.fields?.balanceUsd).toBeDefined();
      const adjust = await call('users.adjustBalance', 'mutation', { id: userId, amountUsd: '-99999999999', reason: 'x' });
      expect(adjust).toMatchObject({ status: 400, code: 'BAD_REQUEST' });
      expect(adjust.fields?.amountUsd).toBeDefined();
    });

    test('bounds still admit the extremes that fit', async () => {
      const r = await call('channels.update', 'mutation', { id: channelId, priority: 2 ** 31 - 1, weight: 2 ** 31 - 1 });
      expect(r).toMatchObject({ status: 200, code: 'OK' });
      const back = await call('channels.update', 'mutation', { id: channelId, priority: -(2 ** 31), weight: 1 });
      expect(back).toMatchObject({ status: 200, code: 'OK' });
      const row = await g.gw.db.db.selectFrom('channels').select('priority').where('id', '=', channelId).executeTakeFirstOrThrow();
      expect(row.priority).toBe(-(2 ** 31));
      const rich = await call('users.create', 'mutation', { username: 'very_rich', balanceUsd: '9223372036.854775807' });
      expect(rich).toMatchObject({ status: 200, code: 'OK' });
    });

    test('a Postgres data error that gets past the schemas is BAD_REQUEST, not a 500 (tRPC safety net)', async () => {
      // Each amount fits int8; their sum does not: the UPDATE fails with 22003 numeric_value_out_of_range.
      const { id } = await g.admin.users.create.mutate({ username: 'near_max', balanceUsd: '9000000000' });
      const r = await call('users.adjustBalance', 'mutation', { id, amountUsd: '9000000000', reason: 'overflow' });
      expect(r).toMatchObject({ status: 400, code: 'BAD_REQUEST' });
      expect(r.message).toContain('out of range');
      const [row] = (await auditRows('users.adjustBalance')).slice(-1);
      expect(row).toMatchObject({ ok: false, target: `users#${id}` });
      expect(row!.error).toStartWith('BAD_REQUEST');
    });
  });

  describe('NUL characters and lone surrogates', () => {
    test('a NUL in a channel name is BAD_REQUEST on the field, with an audit row', async () => {
      const before = (await auditRows('channels.update')).length;
      const r = await call('channels.update', 'mutation', { id: channelId, name: 'bad\u0000name' });
      expect(r).toMatchObject({ status: 400, code: 'BAD_REQUEST' });
      expect(r.fields?.name).toContain('NUL');
      const rows = await auditRows('channels.update');
      expect(rows.length).toBe(before + 1);
      expect(rows.at(-1)).toMatchObject({ ok: false, input: { id: channelId, name: 'badname' } });
    });

    test('NULs in other admin text fields are BAD_REQUEST too', async () => {
      for (const [path, input, field] of [
        ['channels.create', { name: 'n', type: 1, baseUrl: 'http://127.0.0.1:9', key: 'sk-x', models: ['a\u0000b'] }, 'models'],
        ['channels.update', { id: channelId, mapping: { 'a\u0000': 'b' } }, 'mapping'],
        ['users.create', { username: 'nul_user', displayName: 'x\u0000' }, 'displayName'],
        ['keys.create', { name: 'k\u0000' }, 'name'],
        ['prices.set', { model: 'm\u0000', inputUsdPerM: '1', outputUsdPerM: '1' }, 'model'],
      ] as const) {
        const r = await call(path, 'mutation', input);
        expect({ path, code: r.code, field: Object.keys(r.fields ?? {}).some((k) => k.startsWith(field)) }).toEqual({ path, code: 'BAD_REQUEST', field: true });
      }
    });

    test('NULs and lone surrogates anywhere in the input are sanitised in the audit row, never lost', async () => {
      const before = (await auditRows('channels.update')).length;
      // Unknown keys are dropped by the schema, but the audit row records the raw input.
      const r = await call('channels.update', 'mutation', { id: channelId, name: 'ok\ud800name', 'x\u0000y': ['\u0000', '\udc00z'], nested: { 'lone\ud83d': 'tail\ud83d' } });
      expect(r).toMatchObject({ status: 200, code: 'OK' });
      const rows = await auditRows('channels.update');
      expect(rows.length).toBe(before + 1);
      expect(rows.at(-1)).toMatchObject({ ok: true, input: { id: channelId, name: 'ok\ufffdname', xy: ['', '\ufffdz'], nested: { 'lone\ufffd': 'tail\ufffd' } } });
      // A well-formed pair is kept as is.
      expect(maskSecrets({ e: '💥' })).toEqual({ e: '💥' });
    });

    test('a NUL cannot hide a secret-sounding name from masking', () => {
      expect(maskSecrets({ 'pass\u0000word': 'hunter2', note: 'a\u0000b' })).toEqual({ password: '[masked]', note: 'ab' });
    });

    test('nothing above was logged at error level', () => {
      expect(errorLogs).toEqual([]);
    });
  });
});
