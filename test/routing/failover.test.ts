// Evidence 1: two channels serve a model and one fails every request. 1,000 sequential
// requests all succeed; the failing channel is auto-disabled by its health window (status 3
// with a reason) and re-enabled by the background probe once it heals. Real Postgres.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { ChannelStatusEvent } from '../../server/routing/events.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { faults, type FaultyUpstream, startFaultyUpstream } from '../mocks/faulty-upstream.ts';
import { account, channel, chatVia, price, until } from './setup.ts';

describe('failover and health on postgres', () => {
  let g: TestGateway;
  let bad: FaultyUpstream;
  let good: FaultyUpstream;
  let key: string;
  let badId: number;
  let goodId: number;
  const events: ChannelStatusEvent[] = [];

  beforeAll(async () => {
    [bad, good] = await Promise.all([startFaultyUpstream(), startFaultyUpstream()]);
    g = await startTestGateway('postgres');
    g.gw.events.on('channel.status', (e) => events.push(e));
    await g.admin.routing.setSettings.mutate({ healthWindowMs: 60_000, healthMinRequests: 10, healthErrorRate: 0.5, probeIntervalMs: 100,
      // The health window alone (the breaker would take the failing channel out after 3 calls; tiers.test.ts covers it).
      breakerThreshold: 1000 });
    await price(g, 'fo-model');
    ({ key } = await account(g));
    badId = await channel(g, bad.url, ['fo-model'], { name: 'failing' });
    goodId = await channel(g, good.url, ['fo-model'], { name: 'healthy' });
  }, 60_000);
  afterAll(async () => {
    await g?.close();
    await Promise.all([bad?.stop(), good?.stop()]);
  });

  test('1,000 sequential requests succeed; the failing channel is auto-disabled, then re-enabled when it heals', async () => {
    const chat = chatVia(g, key);
    bad.always(faults.serverError);
    const statusAt: number[] = [];
    let disabledAt = -1;
    let healedAt = -1;
    const failures: string[] = [];
    for (let i = 0; i < 1000; i++) {
      if (i === 500) {
        // The probe has tried it while it was still failing, and left it off.
        await until(async () => (await g.gw.db.db.selectFrom('channel_tests').select('id').where('channel_id', '=', badId).where('success', '=', false).execute()).length > 0, 10_000, 'a failed probe');
        expect(g.gw.store.channel(badId)!.status).toBe(3);
        bad.always(null);
        healedAt = i;
        // The probe (every 100 ms here) finds it healthy and puts it back in rotation.
        await until(() => g.gw.store.channel(badId)?.status === 1, 10_000, 're-enable by the probe');
      }
      const res = await chat({ model: 'fo-model' });
      if (res.status !== 200) failures.push(`#${i}: ${res.status} ${await res.text()}`);
      else await res.arrayBuffer();
      statusAt.push(g.gw.store.channel(badId)!.status);
      if (disabledAt < 0 && statusAt[i] === 3) disabledAt = i;
    }
    expect(failures).toEqual([]);

    // Tripped by the window (10 requests minimum), not on the first strike.
    expect(disabledAt).toBeGreaterThanOrEqual(9);
    expect(disabledAt).toBeLessThan(100);
    await until(() => events.filter((e) => e.channelId === badId).length >= 2, 10_000, 'status events');
    const off = events.find((e) => e.channelId === badId && e.status === 3)!;
    expect(off).toMatchObject({ source: 'health', previous: 1 });
    expect(off.reason).toMatch(/auto-disabled: 100% errors \(\d+\/\d+\) on "fo-model"/);
    const on = events.find((e) => e.channelId === badId && e.status === 1)!;
    expect(on.source).toBe('probe');
    expect(on.at.getTime()).toBeGreaterThan(off.at.getTime());
    // The probe only re-enabled it after it healed: while failing it stayed off.
    expect(statusAt.slice(disabledAt, healedAt).every((s) => s === 3)).toBe(true);
    expect(statusAt.at(-1)).toBe(1);
    expect(g.gw.store.channel(goodId)!.status).toBe(1);

    await g.flush();
    const db = g.gw.db.db;
    const row = await db.selectFrom('channels').select(['status', 'status_reason']).where('id', '=', badId).executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 1, status_reason: null });
    // Probes were recorded as channel tests: failures while broken, then a pass.
    const probes = await db.selectFrom('channel_tests').select(['success']).where('channel_id', '=', badId).orderBy('id').execute();
    expect(probes.length).toBeGreaterThan(1);
    expect(probes.at(-1)!.success).toBe(true);
    expect(probes.some((p) => !p.success)).toBe(true);

    // While disabled, no relayed call attempted the failing channel.
    const logs = await db.selectFrom('call_logs').select(['attempts', 'status', 'channel_id']).where('model', '=', 'fo-model').orderBy('id').execute();
    expect(logs.length).toBe(1000);
    expect(logs.every((l) => l.status === 200)).toBe(true);
    const tried = (i: number) => logs[i]!.attempts.some((a) => a.channel_id === badId);
    for (let i = disabledAt + 1; i < healedAt; i++) expect(tried(i)).toBe(false);
    // Failed attempts are on record with their status, then served by the healthy channel.
    const failedOver = logs.filter((l) => l.attempts.length === 2);
    expect(failedOver.length).toBeGreaterThanOrEqual(5);
    expect(failedOver[0]!.attempts[0]).toMatchObject({ channel_id: badId, status: 500 });
    expect(failedOver[0]!.channel_id).toBe(goodId);
    // After the re-enable the healed channel serves traffic again.
    expect(logs.slice(-200).some((l) => l.channel_id === badId && l.attempts.length === 1)).toBe(true);
  }, 120_000);
});
