// GET /metrics (Prometheus text, token-guarded) after real relayed calls, and the overhead
// header on every kind of relay response.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { sql } from 'kysely';
import OpenAI from 'openai';
import { ADMIN_KEY, startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { seed, type Seeded } from '../helpers/seed.ts';
import { MOCK_COMPLETION_TOKENS, type MockOpenAI, startMockOpenAI } from '../mocks/openai.ts';

describe('metrics and the overhead header', () => {
  let mock: MockOpenAI;
  let g: TestGateway;
  let s: Seeded;
  let client: OpenAI;
  const overheads: Array<string | null> = [];

  beforeAll(async () => {
    mock = await startMockOpenAI();
    g = await startTestGateway('pglite');
    s = await seed(g, mock.url);
    client = new OpenAI({ baseURL: `${g.url}/v1`, apiKey: s.key, maxRetries: 0 });
    for (let i = 0; i < 3; i++) {
      const { response } = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
      overheads.push(response.headers.get('x-switchboard-overhead-ms'));
    }
    mock.next({ kind: 'status', status: 500 });
    const failed = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }).catch((e) => e);
    expect(failed.status).toBeGreaterThanOrEqual(500);
    overheads.push(failed.headers.get('x-switchboard-overhead-ms'));
    await g.flush();
  }, 60_000);
  afterAll(async () => {
    await g.close();
    mock.stop();
  });

  const scrape = (token?: string) => fetch(`${g.url}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  test('every relay response carries x-switchboard-overhead-ms: success, upstream error, rejected key, model list', async () => {
    const badKey = await fetch(`${g.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: 'Bearer sk-nope' }, body: '{}' });
    expect(badKey.status).toBe(401);
    const models = await fetch(`${g.url}/v1/models`, { headers: { authorization: `Bearer ${s.key}` } });
    expect(models.status).toBe(200);
    for (const h of [...overheads, badKey.headers.get('x-switchboard-overhead-ms'), models.headers.get('x-switchboard-overhead-ms')]) {
      expect(h).toMatch(/^\d+\.\d{3}$/);
      expect(Number(h)).toBeLessThan(1000);
    }
  });

  test('needs the metrics token (settings row or METRICS_TOKEN) or the admin key', async () => {
    expect((await scrape()).status).toBe(401);
    expect((await scrape('wrong')).status).toBe(401);
    expect((await scrape(ADMIN_KEY)).status).toBe(200);
    await g.gw.db.db.insertInto('settings').values({ key: 'metrics.token', value: sql`'"scrape-me-please"'::jsonb` }).execute();
    const res = await scrape('scrape-me-please');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain; version=0.0.4');
  });

  test('exposes requests, latency and overhead histograms, tokens, cost, upstream errors, pools and live counts', async () => {
    // Metrics are fed from committed batches: commit the previous tests' calls first.
    await g.flush();
    const text = await (await scrape(ADMIN_KEY)).text();
    const value = (series: string) => {
      const line = text.split('\n').find((l) => l.startsWith(`${series} `));
      return line === undefined ? undefined : Number(line.slice(series.length + 1));
    };
    const ch = String(s.channelId);
    expect(value(`switchboard_requests_total{model="gpt-4o-mini",channel="${ch}",status="200"}`)).toBe(3);
    // The upstream's 500 reaches the client as a 502; the rejected key of the previous test is counted too.
    expect(value(`switchboard_requests_total{model="gpt-4o-mini",channel="${ch}",status="502"}`)).toBe(1);
    expect(value('switchboard_requests_total{model="",channel="",status="401"}')).toBe(1);
    expect(value('switchboard_request_duration_seconds_count{stream="false"}')).toBe(5);
    expect(value('switchboard_request_duration_seconds_bucket{stream="false",le="+Inf"}')).toBe(5);
    expect(value('switchboard_gateway_overhead_seconds_count')).toBe(5);
    expect(value('switchboard_gateway_overhead_seconds_sum')).toBeGreaterThan(0);
    expect(value('switchboard_tokens_total{model="gpt-4o-mini",kind="completion"}')).toBe(3 * MOCK_COMPLETION_TOKENS);
    expect(value('switchboard_cost_nano_usd_total{model="gpt-4o-mini"}')).toBeGreaterThan(0);
    expect(value(`switchboard_upstream_errors_total{channel="${ch}",status="500"}`)).toBe(1);
    expect(value('switchboard_channels{status="enabled"}')).toBe(1);
    expect(value(`switchboard_channel_keys{channel="${ch}",state="enabled"}`)).toBe(1);
    expect(value('switchboard_live_subscribers')).toBe(0);
    expect(value('switchboard_live_events_dropped_total')).toBe(0);
    expect(text).toContain('# TYPE switchboard_gateway_overhead_seconds histogram');
  });
});
