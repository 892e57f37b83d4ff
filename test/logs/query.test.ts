// Every call-log filter, keyset pagination through the admin API, the hourly rollups the
// trigger keeps and the dashboards built on them, and a `user` principal's scoping, on
// embedded PGlite and real Postgres.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { TRPCClientError } from '@trpc/client';
import { createSwitchboardClient } from '../../client/index.ts';
import { quantile, LATENCY_BOUNDS_MS } from '../../server/logs/latency-histogram.ts';
import type { LogFilter } from '../../server/logs/query.ts';
import { DB_KINDS, startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { allPages, type FixtureRow, insertFixtures, newestFirst } from './fixtures.ts';

const COUNT = 2000;
const PAGE = 199;

describe.each(DB_KINDS)('call log queries on %s', (kind) => {
  let g: TestGateway;
  let rows: FixtureRow[];
  let users: number[];

  beforeAll(async () => {
    g = await startTestGateway(kind);
    users = [];
    for (const name of ['ann', 'bob', 'cyd']) users.push((await g.admin.users.create.mutate({ username: `${name}_${kind}`, password: 'password-123' })).id);
    rows = await insertFixtures(g, { count: COUNT, users });
  }, 60_000);
  afterAll(() => g.close());

  const expectIds = (pred: (r: FixtureRow) => boolean) => newestFirst(rows.filter(pred)).map((r) => r.id);

  const cases = (): Array<[string, LogFilter, (r: FixtureRow) => boolean]> => {
    const from = rows[1200]!.created_at;
    const to = rows[300]!.created_at;
    return [
      ['no filter', {}, () => true],
      ['time range', { from, to }, (r) => r.created_at >= from && r.created_at < to],
      ['time range as ISO strings', { from: from.toISOString() as unknown as Date, to: to.toISOString() as unknown as Date }, (r) => r.created_at >= from && r.created_at < to],
      ['model', { model: 'm-1' }, (r) => r.model === 'm-1'],
      ['key', { keyId: 12 }, (r) => r.key_id === 12],
      ['user', { userId: users[1]! }, (r) => r.user_id === users[1]],
      ['channel', { channelId: 103 }, (r) => r.channel_id === 103],
      ['status ok', { status: 'ok' }, (r) => r.status < 400],
      ['status 4xx', { status: '4xx' }, (r) => r.status >= 400 && r.status < 500],
      ['status 5xx', { status: '5xx' }, (r) => r.status >= 500],
      ['any error', { status: 'error' }, (r) => r.status >= 400],
      ['stream', { stream: true }, (r) => r.stream],
      ['not stream', { stream: false }, (r) => !r.stream],
      ['error text, any case', { q: 'OVERLOADED' }, (r) => !!r.error_message?.toLowerCase().includes('overloaded')],
      ['error text with a literal %', { q: '100%' }, (r) => !!r.error_message?.includes('100%')],
      ['wildcards are not wildcards', { q: 'd%o' }, () => false],
      ['request id', { requestId: 'req_fx_77' }, (r) => r.request_id === 'req_fx_77'],
      ['combined', { model: 'm-2', stream: true, status: '4xx', userId: users[0]! }, (r) => r.model === 'm-2' && r.stream && r.status >= 400 && r.status < 500 && r.user_id === users[0]],
    ];
  };

  test('each filter, paged with keyset cursors, returns exactly the matching rows newest first', async () => {
    for (const [name, filter, pred] of cases()) {
      const want = expectIds(pred);
      const got = await allPages((cursor) => g.admin.logs.list.query({ ...filter, limit: PAGE, cursor }));
      expect({ name, ids: got.ids }).toEqual({ name, ids: want });
      expect(got.pages).toBe(Math.max(1, Math.ceil(want.length / PAGE)));
    }
    // The fixtures are not trivially partitioned: every case matched something but the last wildcard one.
    expect(expectIds(() => true)).toHaveLength(COUNT);
    expect(expectIds((r) => r.status >= 500).length).toBeGreaterThan(10);
  }, 120_000);

  test('a page has what it needs and a bad cursor is a clear 400', async () => {
    const page = await g.admin.logs.list.query({ limit: 2 });
    const newest = newestFirst(rows)[0]!;
    expect(page.rows[0]).toMatchObject({ id: newest.id, request_id: newest.request_id, model: newest.model, status: newest.status, cost: newest.cost, client_ip: '127.0.0.1' });
    expect(page.rows[0]!.created_at).toBeInstanceOf(Date);
    const err = await g.admin.logs.list.query({ cursor: 'not-a-cursor' }).catch((e) => e);
    expect(err).toBeInstanceOf(TRPCClientError);
    expect(err.data.code).toBe('BAD_REQUEST');
    expect(err.data.fields.cursor).toMatch(/cursor/);
  });

  test('the rollup trigger kept usage_hourly equal to the rows, and stats read it', async () => {
    const all = await g.admin.stats.usage.query({ from: new Date(Date.now() - 7 * 86_400_000), to: new Date(Date.now() + 3_600_000), groupBy: 'model' });
    for (const model of ['m-0', 'm-1', 'm-2']) {
      const mine = rows.filter((r) => r.model === model);
      const s = all.find((x) => x.key === model)!;
      expect(s).toMatchObject({
        calls: mine.length,
        errors4xx: mine.filter((r) => r.status >= 400 && r.status < 500).length,
        errors5xx: mine.filter((r) => r.status >= 500).length,
        promptTokens: mine.reduce((a, r) => a + r.prompt_tokens, 0),
        completionTokens: mine.reduce((a, r) => a + r.completion_tokens, 0),
        cachedTokens: mine.reduce((a, r) => a + r.cached_tokens, 0),
        reasoningTokens: mine.reduce((a, r) => a + r.reasoning_tokens, 0),
        cost: mine.reduce((a, r) => a + r.cost, 0n),
        avgLatencyMs: Math.round(mine.reduce((a, r) => a + r.latency_ms, 0) / mine.length),
      });
      // The merged histogram's median lies in the same bucket as the exact median.
      const lat = mine.map((r) => r.latency_ms).sort((a, b) => a - b);
      const exact = lat[Math.floor(lat.length / 2)]!;
      const bucket = (ms: number) => LATENCY_BOUNDS_MS.findIndex((b) => ms <= b);
      expect(bucket(s.p50LatencyMs!)).toBe(bucket(exact));
      expect(s.p99LatencyMs!).toBeGreaterThanOrEqual(s.p50LatencyMs!);
    }
    const range = { from: new Date(Date.now() - 7 * 86_400_000), to: new Date(Date.now() + 3_600_000) };
    const hourly = await g.admin.stats.usage.query({ ...range, groupBy: 'hour' });
    expect(hourly.reduce((a, d) => a + d.calls, 0)).toBe(COUNT);
    // Grouping by key reads the per-account table; its totals match the per-model table's.
    const byKey = await g.admin.stats.usage.query({ ...range, groupBy: 'key' });
    expect(byKey.map((k) => k.key).sort()).toEqual([10, 11, 12, 13, 14]);
    expect(byKey.reduce((a, d) => a + d.calls, 0)).toBe(COUNT);
    expect(byKey.reduce((a, d) => a + d.cost, 0n)).toBe(all.reduce((a, d) => a + d.cost, 0n));
    const [key12] = await g.admin.stats.usage.query({ ...range, keyId: 12 });
    expect(key12!.calls).toBe(rows.filter((r) => r.key_id === 12).length);
    expect(quantile([0, 0, 0], 0.5)).toBeNull();
  });

  test('a user principal sees only its own calls and usage', async () => {
    const [ann, bob] = users as [number, number];
    const { token } = await g.gw.auth.tokens.create(ann, 'logs-test', null);
    const me = createSwitchboardClient({ url: g.url, token });
    const got = await allPages((cursor) => me.logs.list.query({ limit: 250, cursor }));
    expect(got.ids).toEqual(expectIds((r) => r.user_id === ann));
    expect((await me.logs.list.query({ userId: bob })).rows).toEqual([]);

    const bobsRow = rows.find((r) => r.user_id === bob)!;
    const annsRow = rows.find((r) => r.user_id === ann)!;
    expect((await me.logs.get.query({ id: annsRow.id })).log.request_id).toBe(annsRow.request_id);
    expect((await me.logs.get.query({ id: bobsRow.id }).catch((e) => e)).data.code).toBe('NOT_FOUND');

    const [usage] = await me.stats.usage.query({ from: new Date(Date.now() - 7 * 86_400_000), to: new Date(Date.now() + 3_600_000) });
    expect(usage!.calls).toBe(rows.filter((r) => r.user_id === ann).length);
    expect((await me.logs.settings.query().catch((e) => e)).data.code).toBe('FORBIDDEN');
  });
});
