// One API options that change behaviour (model/option.go): AutomaticEnableChannelEnabled becomes
// the routing setting autoEnable (the probe re-enables only when it is on), RetryTimes becomes
// retries, the rest are reported. One API admin tokens pin a channel with `sk-<key>-<channel id>`.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { importOneApi, type ImportReport } from '../../server/importer/index.ts';
import { routingSettings } from '../../server/routing/settings.ts';
import { probeAutoDisabled } from '../../server/channels/probe.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { startMockOpenAI, type MockOpenAI } from '../mocks/openai.ts';
import { buildSqliteFixture, type FixtureDb } from './fixtures/build.ts';
import { oneApiWorld, WORLD_ADMIN_TOKEN, WORLD_TOKEN } from './oneapi-world.ts';

let g: TestGateway;
let mock: MockOpenAI;
let src: FixtureDb;
let report: ImportReport;

beforeAll(async () => {
  mock = await startMockOpenAI();
  g = await startTestGateway('pglite');
  const world = oneApiWorld(mock.url);
  world.users[0] = { ...world.users[0]!, quota: 10_000_000 }; // the admin pays for its pinned calls
  world.options.push(
    { key: 'AutomaticEnableChannelEnabled', value: 'false' },
    { key: 'AutomaticDisableChannelEnabled', value: 'true' },
    { key: 'RetryTimes', value: '3' },
    { key: 'ChannelDisableThreshold', value: '5' },
  );
  src = await buildSqliteFixture(world);
  report = await importOneApi(g.gw.db.db, g.gw.box, { dsn: src.dsn });
  await g.gw.invalidate();
}, 60_000);
afterAll(async () => {
  await g?.close();
  mock?.stop();
  await src?.drop();
});

const chat = (key: string, model = 'gpt-4o') =>
  fetch(`${g.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
  });

describe('One API behaviour options', () => {
  test('are applied to routing settings and reported', () => {
    const s = routingSettings(g.gw.store);
    expect(s.autoEnable).toBe(false);
    expect(s.retries).toBe(3);
    expect(report.notes.some((n) => n.startsWith('One API option AutomaticEnableChannelEnabled=false: routing setting autoEnable = false'))).toBe(true);
    expect(report.notes.some((n) => n.startsWith('One API option RetryTimes=3: routing setting retries = 3'))).toBe(true);
    expect(report.notes.some((n) => n.startsWith('One API option ChannelDisableThreshold=5'))).toBe(true);
  });

  test('with autoEnable off the probe leaves an auto-disabled channel disabled; on, it re-enables it', async () => {
    const ch = await g.gw.db.db.selectFrom('channels').select('id').where('oneapi_id', '=', 1).executeTakeFirstOrThrow();
    await g.gw.db.db.updateTable('channels').set({ status: 3, status_reason: 'too many errors' }).where('id', '=', ch.id).execute();
    await g.gw.invalidate();
    const before = mock.requests.length;
    await probeAutoDisabled(g.gw);
    expect(mock.requests.length).toBe(before);
    expect((await g.gw.db.db.selectFrom('channels').select('status').where('id', '=', ch.id).executeTakeFirstOrThrow()).status).toBe(3);

    await g.admin.routing.setSettings.mutate({ autoEnable: true });
    await g.gw.invalidate();
    await probeAutoDisabled(g.gw);
    expect(mock.requests.length).toBeGreaterThan(before);
    expect((await g.gw.db.db.selectFrom('channels').select('status').where('id', '=', ch.id).executeTakeFirstOrThrow()).status).toBe(1);
    await g.gw.invalidate();
  });
});

describe('sk-<key>-<channel id> pins', () => {
  test('an admin token pins the channel One API knew by that id', async () => {
    // Without a pin, gpt-4o goes to One API channel 1 (priority 10); `-3` pins One API channel 3.
    const res = await chat(`sk-${WORLD_ADMIN_TOKEN}-3`);
    expect(res.status).toBe(200);
    await res.text();
    await g.flush();
    const log = await g.gw.db.db.selectFrom('call_logs').innerJoin('channels', 'channels.id', 'call_logs.channel_id').select(['channels.oneapi_id', 'call_logs.cost']).orderBy('call_logs.created_at', 'desc').executeTakeFirstOrThrow();
    expect(log.oneapi_id).toBe(3);
    // Billed at the channel-type price One API charged on type 8 (`gpt-4o(8)`: 0.5 → $1 in, $4 out):
    // 11 × $1/1M + 4 × $4/1M = 27,000 nano-USD (One API: ceil((11 + 4 × 4) × 0.5) = 14 quota = 28,000).
    expect(log.cost).toBe(27_000n);
    // Without the `sk-` prefix, as One API also accepts.
    expect((await chat(`${WORLD_ADMIN_TOKEN}-2`)).status).toBe(200);
  });

  test('a regular user may not pin; an unknown channel is a 404', async () => {
    const user = await chat(`sk-${WORLD_TOKEN}-3`);
    expect(user.status).toBe(403);
    expect((await user.json()).error.code).toBe('channel_pin_forbidden');
    const unknown = await chat(`sk-${WORLD_ADMIN_TOKEN}-99`);
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error.code).toBe('channel_not_found');
    expect((await chat(`sk-${WORLD_TOKEN}`)).status).toBe(200);
  });
});
